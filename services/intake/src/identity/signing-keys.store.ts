import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { JWK } from 'jose';
import { generateSigningKey, loadSigningKey, type SigningKey } from '@casegrid/auth';
import { quoteSchema } from '@casegrid/event-store';
import { uuidv7 } from '@casegrid/kernel';
import { openWithKey, sealWithKey, type KeyEncryptionKey } from '@casegrid/personal-data';

const DAY_MS = 86_400_000;
/** A new signing key every 30 days; the previous one verifies until its tokens expired. */
export const SIGNING_KEY_ROTATION_MS = 30 * DAY_MS;

interface Row {
  readonly kid: string;
  readonly wrapped_key: Buffer;
  readonly sealed_private_jwk: string;
  readonly created_at: Date;
}

/**
 * Loads the embedded issuer's signing keys, creating a new one when there is none or the
 * newest is due for rotation. Instances starting together may each create one: both are
 * valid and both are published, so nothing breaks; a lock would buy nothing.
 */
export async function loadOrRotateSigningKeys(
  pool: Pool,
  schema: string,
  kek: KeyEncryptionKey,
  now: Date,
  tokenTtlSeconds: number,
): Promise<SigningKey[]> {
  const table = `${quoteSchema(schema)}.signing_keys`;
  const read = async (): Promise<Row[]> =>
    (
      await pool.query<Row>(
        `select kid, wrapped_key, sealed_private_jwk, created_at from ${table}
          where created_at > $1 order by created_at desc`,
        [new Date(now.getTime() - SIGNING_KEY_ROTATION_MS - tokenTtlSeconds * 1000 - DAY_MS)],
      )
    ).rows;
  const usable = async (): Promise<SigningKey[]> => {
    const keys = await Promise.all((await read()).map((row) => open(row, kek)));
    return keys.filter((key): key is SigningKey => key !== undefined);
  };
  let keys = await usable();
  const newest = keys[0];
  if (!newest || now.getTime() - newest.createdAt.getTime() >= SIGNING_KEY_ROTATION_MS) {
    const kid = uuidv7();
    const { stored } = await generateSigningKey(kid, now);
    const dataKey = randomBytes(32);
    const sealed = sealWithKey(dataKey, kid, { jwk: JSON.stringify(stored.privateJwk) });
    await pool.query(
      `insert into ${table} (kid, kek_id, wrapped_key, sealed_private_jwk, created_at) values ($1, $2, $3, $4, $5)`,
      [kid, kek.id, Buffer.from(await kek.wrap(dataKey)), sealed, now],
    );
    keys = await usable();
  }
  return keys;
}

/**
 * A key sealed under another master key (CASEGRID_MASTER_KEY changed) cannot sign or be
 * published; it is skipped and a new one made. Its tokens fail verification and users
 * sign in again: for signing keys, unlike personal data, that is a full recovery.
 */
async function open(row: Row, kek: KeyEncryptionKey): Promise<SigningKey | undefined> {
  try {
    const { jwk } = openWithKey(await kek.unwrap(row.wrapped_key), row.sealed_private_jwk);
    return await loadSigningKey({
      kid: row.kid,
      privateJwk: JSON.parse(jwk ?? '{}') as JWK,
      createdAt: row.created_at,
    });
  } catch {
    return undefined;
  }
}
