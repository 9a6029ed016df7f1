import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { LocalKeyEncryptionKey } from './local-key-encryption-key.crypto';

describe('LocalKeyEncryptionKey', () => {
  const master = randomBytes(32);
  const kek = new LocalKeyEncryptionKey(master);

  it('unwraps what it wrapped, with a fresh IV each time', async () => {
    const dataKey = randomBytes(32);
    const once = await kek.wrap(dataKey);
    const twice = await kek.wrap(dataKey);
    expect(Buffer.from(once).equals(Buffer.from(twice))).toBe(false);
    expect(Buffer.from(await kek.unwrap(once)).equals(dataKey)).toBe(true);
    expect(once).toHaveLength(60);
  });

  it('is named by a short hex fingerprint that is stable and says nothing of the key', () => {
    expect(kek.id).toMatch(/^[0-9a-f]{16}$/);
    expect(new LocalKeyEncryptionKey(Buffer.from(master)).id).toBe(kek.id);
    expect(new LocalKeyEncryptionKey(randomBytes(32)).id).not.toBe(kek.id);
    expect(master.toString('hex')).not.toContain(kek.id);
  });

  it('refuses, with a typed error, a key wrapped by another KEK or edited', async () => {
    const wrapped = await new LocalKeyEncryptionKey(randomBytes(32)).wrap(randomBytes(32));
    await expect(kek.unwrap(wrapped)).rejects.toMatchObject({ code: 'data_key_unwrap_failed' });
    const edited = Buffer.from(await kek.wrap(randomBytes(32)));
    edited[20]! ^= 1;
    await expect(kek.unwrap(edited)).rejects.toMatchObject({ code: 'data_key_unwrap_failed' });
    await expect(kek.unwrap(edited.subarray(1))).rejects.toMatchObject({
      code: 'data_key_unwrap_failed',
    });
  });

  it('does not print its key material', () => {
    const shown = inspect(kek, { showHidden: true, depth: 5 }) + JSON.stringify(kek);
    expect(shown).not.toContain(master.toString('hex'));
    expect(shown).not.toMatch(/<Buffer/);
  });

  it('insists on a 256-bit master key', () => {
    expect(() => new LocalKeyEncryptionKey(randomBytes(16))).toThrow(/32 bytes/);
  });
});
