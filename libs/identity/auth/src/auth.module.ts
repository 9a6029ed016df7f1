import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CASEGRID_CONFIG, type CasegridConfig } from '@casegrid/platform';
import { AuthGuard } from './auth.guard';
import { KeyRing } from './key-ring';
import { TokenVerifier } from './token.service';

/**
 * Authentication for every service of a process: the global `AuthGuard` and the
 * `TokenVerifier` it uses. With a JWKS URL (an OIDC provider, or an embedded issuer in
 * another process) keys come from there; otherwise from this process's `KeyRing`, which
 * the embedded issuer (intake) fills.
 */
@Global()
@Module({
  providers: [
    { provide: KeyRing, useValue: new KeyRing() },
    {
      provide: TokenVerifier,
      inject: [CASEGRID_CONFIG, KeyRing],
      useFactory: (config: CasegridConfig, keyRing: KeyRing): TokenVerifier =>
        config.auth.jwksUrl
          ? TokenVerifier.remote(config.auth, config.auth.jwksUrl)
          : new TokenVerifier(config.auth, keyRing.getKey),
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [KeyRing, TokenVerifier],
})
export class AuthModule {}
