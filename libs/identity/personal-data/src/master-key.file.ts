import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface MasterKeyOptions {
  /** CASEGRID_MASTER_KEY, already decoded by the configuration. */
  readonly configured: Uint8Array | undefined;
  /** The embedded default's data directory, where `master.key` lives. */
  readonly dataDir: string;
  readonly production: boolean;
}

const KEY_BYTES = 32;
export const MASTER_KEY_FILE = 'master.key';

/**
 * The master key: the configured one; in production nothing else (a key generated on a
 * pod's disk would be lost with the pod, and every person's data with it); elsewhere the
 * one in `<dataDir>/master.key`, created on first start.
 */
export const loadOrCreateMasterKey = async (options: MasterKeyOptions): Promise<Uint8Array> => {
  if (options.configured !== undefined) {
    if (options.configured.length !== KEY_BYTES) {
      throw new Error(`CASEGRID_MASTER_KEY must be ${KEY_BYTES} bytes`);
    }
    return options.configured;
  }
  if (options.production) {
    throw new Error(
      'CASEGRID_MASTER_KEY is required in production: set it to 32 random bytes in base64 ' +
        '(openssl rand -base64 32), kept in a secret store and backed up apart from the database',
    );
  }
  const path = join(options.dataDir, MASTER_KEY_FILE);
  return (await readKey(path)) ?? (await createKey(options.dataDir, path));
};

const readKey = async (path: string): Promise<Uint8Array | undefined> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const bytes = Buffer.from(text.trim(), 'base64');
  // Never replaced when unreadable: a new key would silently orphan every sealed record.
  if (bytes.length !== KEY_BYTES || bytes.toString('base64') !== text.trim()) {
    throw new Error(`${path} is not a base64 ${KEY_BYTES}-byte key; restore it from a backup`);
  }
  return new Uint8Array(bytes);
};

/**
 * Written whole to a private temporary file, then published with link(2), which fails
 * with EEXIST when the name is taken: readers never see a half-written key (the point of
 * temp + rename), and of two processes starting together exactly one key wins (the point
 * of `wx`) — rename alone would let the second overwrite the key the first already uses.
 */
const createKey = async (dataDir: string, path: string): Promise<Uint8Array> => {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  const temp = join(
    dataDir,
    `.${MASTER_KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`,
  );
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(`${key.toString('base64')}\n`, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = await readKey(path);
    if (theirs === undefined) throw error;
    return theirs;
  } finally {
    await unlink(temp);
  }
  await syncDirectory(dataDir);
  return new Uint8Array(key);
};

/** The new name must survive a power cut as surely as the data sealed under it. */
const syncDirectory = async (dir: string): Promise<void> => {
  // Best effort: some platforms (Windows) cannot open a directory to sync it.
  const handle = await open(dir, 'r').catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};
