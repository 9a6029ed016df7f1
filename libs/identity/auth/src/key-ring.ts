import {
  createLocalJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';

export const SIGNING_ALGORITHM = 'ES256';

/** A signing key of the embedded issuer: private part to sign, public part for the JWKS. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly createdAt: Date;
}

/** How a signing key is kept between restarts and shared by instances (intake's schema). */
export interface StoredSigningKey {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly createdAt: Date;
}

export async function generateSigningKey(
  kid: string,
  now: Date,
): Promise<{ key: SigningKey; stored: StoredSigningKey }> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const stored = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALGORITHM },
    createdAt: now,
  };
  return { key: await loadSigningKey(stored), stored };
}

export async function loadSigningKey(stored: StoredSigningKey): Promise<SigningKey> {
  const { d: _private, ...publicJwk } = stored.privateJwk;
  const privateKey = (await importJWK(stored.privateJwk, SIGNING_ALGORITHM)) as CryptoKey;
  return {
    kid: stored.kid,
    privateKey,
    publicJwk: { ...publicJwk, kid: stored.kid, alg: SIGNING_ALGORITHM, use: 'sig' },
    createdAt: stored.createdAt,
  };
}

/**
 * The embedded issuer's keys in this process: the newest signs, all verify (a token signed
 * just before a rotation stays valid until it expires). Empty until the service that owns
 * the keys (intake) loads them; tokens are refused until then.
 */
export class KeyRing {
  private keys: readonly SigningKey[] = [];
  private verifyKey: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });

  replace(keys: readonly SigningKey[]): void {
    this.keys = [...keys].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    this.verifyKey = createLocalJWKSet(this.jwks());
  }

  signingKey(): SigningKey | undefined {
    return this.keys[0];
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  private reloader: (() => Promise<void>) | undefined;
  private lastReload = 0;

  /**
   * How to fetch the keys again: another instance may have rotated in a key this one has
   * not seen. Tried on an unknown `kid`, at most every `cooldownMs`, as a JWKS client does.
   */
  reloadWith(reload: () => Promise<void>, cooldownMs = 30_000): void {
    this.reloader = async () => {
      if (Date.now() - this.lastReload < cooldownMs) return;
      this.lastReload = Date.now();
      await reload();
    };
  }

  /** For `jwtVerify`: follows `replace` without re-wiring the verifier. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await this.verifyKey(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !this.reloader) throw error;
      await this.reloader();
      return this.verifyKey(header, token);
    }
  };
}
