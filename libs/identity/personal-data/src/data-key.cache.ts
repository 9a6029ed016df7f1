/** What the vault remembers about a person: an unwrapped key, or that it was shredded. */
export type CachedPersonKey =
  | { readonly status: 'available'; readonly wrapped: Buffer; readonly dataKey: Buffer }
  | { readonly status: 'erased'; readonly erasedAt: string };

export interface DataKeyCacheOptions {
  /** 0 disables the cache: every open asks the database, so erasure is seen at once. */
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly now?: () => number;
}

/**
 * A small LRU with a TTL. The TTL is what bounds how long this process may still open a
 * person's data after another instance erased them, so it stays short; the size bounds
 * how many unwrapped keys sit in memory. Entries live in a private field so that
 * util.inspect or a logger handed this object never prints a key.
 */
export class DataKeyCache {
  readonly #entries = new Map<string, { value: CachedPersonKey; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: DataKeyCacheOptions) {
    if (!(options.ttlMs >= 0) || !(options.maxEntries >= 0)) {
      throw new Error('cache TTL and size must be non-negative');
    }
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = Math.floor(options.maxEntries);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(personId: string): CachedPersonKey | undefined {
    const entry = this.#entries.get(personId);
    if (entry === undefined) return undefined;
    this.#entries.delete(personId);
    if (entry.expiresAt <= this.#now()) return undefined;
    // Re-inserted last: Map keeps insertion order, so the first key is the least recent.
    this.#entries.set(personId, entry);
    return entry.value;
  }

  set(personId: string, value: CachedPersonKey): void {
    if (this.#ttlMs === 0 || this.#maxEntries === 0) return;
    this.#entries.delete(personId);
    this.#entries.set(personId, { value, expiresAt: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(personId: string): void {
    this.#entries.delete(personId);
  }

  clear(): void {
    this.#entries.clear();
  }
}
