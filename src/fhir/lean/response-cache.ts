/**
 * A bounded LRU of rendered answers (entry count and total bytes), valid for one generation (of
 * the registry for operations, of the store's content for reads): the first lookup after it
 * changed empties it.
 */
export interface CachedAnswer {
  status: number;
  /** Headers of the answer besides Content-Type/Content-Length (e.g. none for operations). */
  headers: Record<string, string>;
  /** Absent when the answer has no body (e.g. a 304). */
  body?: Buffer;
}

export interface ResponseCacheOptions {
  maxEntries: number;
  maxBytes: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private bytes = 0;
  private generation = -1;

  constructor(private readonly options: ResponseCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, generation: number): CachedAnswer | undefined {
    this.sync(generation);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    // Map order is insertion order: re-inserting marks the entry most recently used.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  /** Stores an answer computed under `generation`; ignored when the registry changed meanwhile. */
  set(key: string, generation: number, answer: CachedAnswer): void {
    this.sync(generation);
    if (generation !== this.generation) return;
    const size = (answer.body?.length ?? 0) + key.length;
    if (size > this.options.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= (old.body?.length ?? 0) + key.length;
    }
    this.entries.set(key, answer);
    this.bytes += size;
    while (this.entries.size > this.options.maxEntries || this.bytes > this.options.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      const evicted = this.entries.get(oldest.value)!;
      this.entries.delete(oldest.value);
      this.bytes -= (evicted.body?.length ?? 0) + oldest.value.length;
    }
  }

  /** Empties the cache when the registry moved on (a newer generation never goes back). */
  private sync(generation: number): void {
    if (generation <= this.generation) return;
    this.entries.clear();
    this.bytes = 0;
    this.generation = generation;
  }
}
