import { hashPassword, verifyPassword } from './password.hasher';

// A cheap cost keeps the spec fast; the parameters travel in the hash, so verification is
// the same code path as for the production cost.
const CHEAP = { log2N: 10, r: 8, p: 1 };

describe('password hashes', () => {
  it('verify the password they were made from and nothing else', async () => {
    const hash = await hashPassword('正确的马电池订书钉', CHEAP);
    expect(hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
    await expect(verifyPassword('正确的马电池订书钉', hash)).resolves.toBe(true);
    await expect(verifyPassword('正确的马电池订书针', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('salt every hash', async () => {
    expect(await hashPassword('same', CHEAP)).not.toBe(await hashPassword('same', CHEAP));
  });

  it('treat full-width and half-width input alike (NFKC), as IMEs differ', async () => {
    const hash = await hashPassword('ｃａｓｅｇｒｉｄ１２３', CHEAP);
    await expect(verifyPassword('casegrid123', hash)).resolves.toBe(true);
  });

  it('never match a malformed stored hash', async () => {
    await expect(verifyPassword('x', 'plain-text-password')).resolves.toBe(false);
    await expect(verifyPassword('x', '$scrypt$ln=10,r=8,p=1$$')).resolves.toBe(false);
  });
});
