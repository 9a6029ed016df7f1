import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, UnsecuredJWT, base64url } from 'jose';
import type { Principal } from '@casegrid/identity';
import { loadConfig, type AuthConfig } from '@casegrid/platform';
import { KeyRing, generateSigningKey } from './key-ring';
import { InvalidTokenError, TokenVerifier, issueToken } from './token.service';

const config: AuthConfig = loadConfig({}).auth;
const NOW = new Date();
const clerk: Principal = {
  userId: '0193a000-0000-7000-8000-0000000000c1',
  username: 'clerk.jiefang',
  name: '王丽',
  roles: ['intake_clerk'],
  departmentId: '0193a000-0000-7000-8000-000000000050',
  regionCode: '370102001000',
};

const ringWithKey = async (kid = 'k1'): Promise<KeyRing> => {
  const ring = new KeyRing();
  ring.replace([(await generateSigningKey(kid, NOW)).key]);
  return ring;
};

const refusal = async (verifier: TokenVerifier, token: string): Promise<string> => {
  try {
    await verifier.verify(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.message;
    throw error;
  }
  throw new Error('the token was accepted');
};

describe('bearer tokens', () => {
  let ring: KeyRing;
  let verifier: TokenVerifier;
  beforeAll(async () => {
    ring = await ringWithKey();
    verifier = new TokenVerifier(config, ring.getKey);
  });

  it('round-trips the principal through a token of the embedded issuer', async () => {
    const { accessToken, expiresIn } = await issueToken(ring, config, clerk, NOW);
    expect(expiresIn).toBe(900);
    await expect(verifier.verify(accessToken)).resolves.toEqual(clerk);
  });

  it('refuses an expired token', async () => {
    const { accessToken } = await issueToken(
      ring,
      config,
      clerk,
      new Date(NOW.getTime() - 3_600_000),
    );
    expect(await refusal(verifier, accessToken)).toBe('the token has expired');
  });

  it('remembers a verified token until it expires, a minute at most', async () => {
    const { accessToken } = await issueToken(ring, config, clerk, NOW);
    let now = Date.now();
    // The key is gone from the ring once verified: only the memory can say yes now.
    let keys = ring.getKey;
    const remembering = new TokenVerifier(
      config,
      (...args) => keys(...args),
      () => now,
    );
    await expect(remembering.verify(accessToken)).resolves.toEqual(clerk);
    keys = (await ringWithKey()).getKey;
    await expect(remembering.verify(accessToken)).resolves.toEqual(clerk);
    now += 60_001;
    // Verified afresh after the minute: the new ring does not know the token's key.
    expect(await refusal(remembering, accessToken)).toMatch(/signature is invalid|unknown key/);
  });

  it('refuses a token whose payload was edited', async () => {
    const { accessToken } = await issueToken(ring, config, clerk, NOW);
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<
      string,
      unknown
    >;
    const forged = base64url.encode(JSON.stringify({ ...claims, roles: ['admin'] }));
    expect(await refusal(verifier, `${header}.${forged}.${signature}`)).toBe(
      'the token signature is invalid',
    );
  });

  it.each([
    ['issuer', { ...config, issuer: 'https://evil.example' }, 'iss'],
    ['audience', { ...config, audience: 'another-api' }, 'aud'],
  ])('refuses a token of the wrong %s', async (_what, signedWith, claim) => {
    const { accessToken } = await issueToken(ring, signedWith, clerk, NOW);
    expect(await refusal(verifier, accessToken)).toBe(`the token's ${claim} claim is not accepted`);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const token = new UnsecuredJWT({ sub: clerk.userId, roles: ['admin'] })
      .setIssuer(config.issuer)
      .setAudience(config.audience)
      .setExpirationTime('5m')
      .encode();
    expect(await refusal(verifier, token)).toMatch(/algorithm|malformed/);
  });

  it('refuses an HMAC token keyed with the public key (algorithm confusion)', async () => {
    const publicJwk = ring.jwks().keys[0]!;
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const token = await new SignJWT({
      roles: ['admin'],
      department_id: 'x',
      region_code: '370000000000',
    })
      .setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid })
      .setSubject(clerk.userId)
      .setIssuer(config.issuer)
      .setAudience(config.audience)
      .setExpirationTime('5m')
      .sign(secret);
    expect(await refusal(verifier, token)).toBe('the token algorithm is not accepted');
  });

  it('refuses a token signed by a key it does not know', async () => {
    const stranger = await ringWithKey('k-stranger');
    const { accessToken } = await issueToken(stranger, config, clerk, NOW);
    expect(await refusal(verifier, accessToken)).toBe('the token was signed by an unknown key');
  });

  it('refuses garbage and a token without jurisdiction claims', async () => {
    expect(await refusal(verifier, 'not.a.token')).toBe('the token is malformed');
    const key = ring.signingKey()!;
    const token = await new SignJWT({ roles: ['intake_clerk'] })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setSubject(clerk.userId)
      .setIssuer(config.issuer)
      .setAudience(config.audience)
      .setExpirationTime('5m')
      .sign(key.privateKey);
    expect(await refusal(verifier, token)).toBe('the token has no valid department_id claim');
  });
});

describe("the embedded issuer's key ring", () => {
  it('picks up a key another instance rotated in, asking again at most once per cooldown', async () => {
    const mine = await generateSigningKey('k-mine', NOW);
    const theirs = await generateSigningKey('k-theirs', NOW);
    const ring = new KeyRing();
    ring.replace([mine.key]);
    let reloads = 0;
    ring.reloadWith(async () => {
      reloads += 1;
      ring.replace([mine.key, theirs.key]);
    });
    const verifier = new TokenVerifier(config, ring.getKey);
    const other = new KeyRing();
    other.replace([theirs.key]);
    await expect(
      verifier.verify((await issueToken(other, config, clerk, NOW)).accessToken),
    ).resolves.toEqual(clerk);
    const stranger = await ringWithKey('k-stranger');
    expect(
      await refusal(verifier, (await issueToken(stranger, config, clerk, NOW)).accessToken),
    ).toBe('the token was signed by an unknown key');
    expect(reloads).toBe(1);
  });
});

describe('an external OIDC provider', () => {
  let server: Server;
  let served: { keys: object[] } = { keys: [] };
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('maps its claims and follows a key rotation through its JWKS', async () => {
    const oidc: AuthConfig = {
      ...config,
      mode: 'oidc',
      issuer: 'https://sso.example.gov.cn/realms/casegrid',
      claims: {
        roles: 'realm_access.roles',
        department: 'casegrid.department',
        region: 'casegrid.region',
      },
    };
    const verifier = TokenVerifier.remote(oidc, url, 0);
    const sign = async (ring: KeyRing) => {
      const key = ring.signingKey()!;
      return new SignJWT({
        preferred_username: 'wangli',
        realm_access: { roles: ['intake_clerk', 'offline_access'] },
        casegrid: { department: clerk.departmentId, region: clerk.regionCode },
      })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .setSubject('kc-user-1')
        .setIssuer(oidc.issuer)
        .setAudience(oidc.audience)
        .setExpirationTime('5m')
        .sign(key.privateKey);
    };
    const before = await ringWithKey('kc-1');
    served = before.jwks();
    await expect(verifier.verify(await sign(before))).resolves.toMatchObject({
      userId: 'kc-user-1',
      username: 'wangli',
      roles: ['intake_clerk'],
      regionCode: clerk.regionCode,
    });
    const after = await ringWithKey('kc-2');
    served = after.jwks();
    await expect(verifier.verify(await sign(after))).resolves.toMatchObject({
      userId: 'kc-user-1',
    });
  });
});
