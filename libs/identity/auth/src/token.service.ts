import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import type { Principal } from '@casegrid/identity';
import { uuidv7 } from '@casegrid/kernel';
import type { AuthConfig } from '@casegrid/platform';
import { SIGNING_ALGORITHM, type KeyRing } from './key-ring';
import { claimsOf, principalFromClaims } from './principal.claims';

/** Why a token was refused; the guard answers 401 with it. */
export class InvalidTokenError extends Error {}

const ACCEPTED_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

/**
 * Verifies bearer tokens: signature against the issuer's keys, `iss`, `aud`, `exp` and
 * `nbf` (5 s of clock skew), an asymmetric algorithm (never `none` or HMAC, which would
 * let anyone holding the public key mint tokens), then maps the claims to a principal.
 */
export class TokenVerifier {
  /**
   * Tokens verified recently, with who they say the caller is: a client sends the same
   * token with every request, and checking its signature again each time was a twentieth of
   * a registration's CPU. An entry lasts until the token expires, or a minute at most, so
   * that a key withdrawn from the key ring stops its tokens within a minute.
   */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly config: AuthConfig,
    private readonly keys: JWTVerifyGetKey,
    private readonly now: () => number = Date.now,
  ) {}

  /** An external provider's JWKS, cached 10 min and refetched at most every 30 s on an unknown `kid` (rotation). */
  static remote(config: AuthConfig, jwksUrl: string, cooldownMs = 30_000): TokenVerifier {
    return new TokenVerifier(
      config,
      createRemoteJWKSet(new URL(jwksUrl), {
        cacheMaxAge: 600_000,
        cooldownDuration: cooldownMs,
        timeoutDuration: 5_000,
      }),
    );
  }

  async verify(token: string): Promise<Principal> {
    const now = this.now();
    const known = this.verified.get(token);
    if (known && now < known.until) return known.principal;
    if (known) this.verified.delete(token);
    const { principal, expiresAt } = await this.verifyAfresh(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) {
      // The oldest entry goes (a Map iterates in insertion order).
      this.verified.delete(this.verified.keys().next().value!);
    }
    this.verified.set(token, { principal, until: Math.min(expiresAt, now + VERIFIED_TTL_MS) });
    return principal;
  }

  private async verifyAfresh(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        clockTolerance: 5,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw new InvalidTokenError(reasonOf(error));
    }
    const principal = principalFromClaims(payload, this.config.claims);
    if ('missing' in principal)
      throw new InvalidTokenError(`the token has no valid ${principal.missing} claim`);
    // `exp` is required (requiredClaims) and a number (jose checks it).
    return { principal, expiresAt: (payload['exp'] as number) * 1000 };
  }
}

const VERIFIED_CACHE_SIZE = 10_000;
const VERIFIED_TTL_MS = 60_000;

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'the token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token was signed by an unknown key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token algorithm is not accepted';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError) {
    return error instanceof errors.JWKSTimeout
      ? 'the issuer keys could not be fetched'
      : 'the token is malformed';
  }
  return 'the token is malformed';
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
}

/** Signs a short-lived access token for a signed-in user (embedded issuer only). */
export async function issueToken(
  keyRing: KeyRing,
  config: AuthConfig,
  principal: Principal,
  now: Date,
): Promise<IssuedToken> {
  const key = keyRing.signingKey();
  if (!key) throw new Error('the embedded issuer has no signing key yet');
  const issuedAt = Math.floor(now.getTime() / 1000);
  const accessToken = await new SignJWT(claimsOf(principal))
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + config.tokenTtlSeconds)
    .setJti(uuidv7())
    .sign(key.privateKey);
  return { accessToken, tokenType: 'Bearer', expiresIn: config.tokenTtlSeconds };
}
