import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateMasterKey } from './master-key.file';

describe('loadOrCreateMasterKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'casegrid-master-key-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the configured key and writes nothing', async () => {
    const configured = randomBytes(32);
    const key = await loadOrCreateMasterKey({ configured, dataDir: dir, production: true });
    expect(Buffer.from(key).equals(configured)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses to start in production without one, naming the setting', async () => {
    await expect(
      loadOrCreateMasterKey({ configured: undefined, dataDir: dir, production: true }),
    ).rejects.toThrow(/CASEGRID_MASTER_KEY/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('creates a private base64 key file once and reads it back afterwards', async () => {
    const dataDir = join(dir, 'data');
    const options = { configured: undefined, dataDir, production: false };
    const first = await loadOrCreateMasterKey(options);
    expect(first).toHaveLength(32);
    const path = join(dataDir, 'master.key');
    expect((await readFile(path, 'utf8')).trim()).toBe(Buffer.from(first).toString('base64'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateMasterKey(options)).toEqual(first);
  });

  it('ends with one key when many start together', async () => {
    const options = { configured: undefined, dataDir: dir, production: false };
    const keys = await Promise.all(
      Array.from({ length: 20 }, () => loadOrCreateMasterKey(options)),
    );
    const distinct = new Set(keys.map((k) => Buffer.from(k).toString('hex')));
    expect(distinct.size).toBe(1);
    expect(await readdir(dir)).toEqual(['master.key']);
  });

  it('never replaces a damaged key file', async () => {
    const path = join(dir, 'master.key');
    await writeFile(path, 'not a key\n');
    await expect(
      loadOrCreateMasterKey({ configured: undefined, dataDir: dir, production: false }),
    ).rejects.toThrow(/restore it/);
    expect(await readFile(path, 'utf8')).toBe('not a key\n');
  });
});
