import {
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  CASEGRID_CONFIG,
  IS_PUBLIC,
  RATE_LIMITER,
  enforceRate,
  type CasegridConfig,
  type RateLimiter,
} from '@casegrid/platform';
import type { AuthenticatedRequest } from './caller.decorator';
import { InvalidTokenError, TokenVerifier } from './token.service';

interface GuardedRequest extends AuthenticatedRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}
interface HeaderSetter {
  setHeader(name: string, value: string): unknown;
}

/**
 * The global guard: every route needs a verified bearer token unless marked `@Public`.
 * After authentication it spends one request of the caller's per-user rate (429 past it).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    @Inject(CASEGRID_CONFIG) private readonly config: CasegridConfig,
    @Optional() @Inject(RATE_LIMITER) private readonly limiter?: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<GuardedRequest>();
    const token = bearerToken(request.headers.authorization);
    try {
      if (token === undefined) throw new InvalidTokenError('a bearer token is required');
      request.principal = await this.verifier.verify(token);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      // RFC 6750 §3: tell the client which scheme and why.
      const challenge =
        token === undefined
          ? 'Bearer'
          : `Bearer error="invalid_token", error_description="${error.message}"`;
      http.getResponse<HeaderSetter>().setHeader('WWW-Authenticate', challenge);
      throw new UnauthorizedException(error.message);
    }
    if (this.limiter) {
      await enforceRate(
        this.limiter,
        `user:${request.principal.userId}`,
        this.config.security.rateLimits.perUser,
      );
    }
    return true;
  }
}

function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim());
  return match?.[1];
}
