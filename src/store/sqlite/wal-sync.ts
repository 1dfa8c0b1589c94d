/**
 * Durability for journal commits made with `synchronous=NORMAL` in WAL mode. SQLite then writes a
 * commit's frames to the `-wal` file without flushing it; one fdatasync of that file afterwards makes
 * every commit written before it durable. A later commit that was only half on disk at a crash is not
 * replayed (WAL recovery stops at the first frame whose checksum or salt does not match;
 * https://www.sqlite.org/walformat.html §4.3), so the database stays consistent and loses nothing
 * that was reported durable. Checkpoints still sync the WAL and the database file themselves (that is
 * what NORMAL keeps), so a WAL reset cannot drop a commit either.
 *
 * The fdatasync runs on libuv's thread pool: the event loop keeps parsing frames, sending ACKs and
 * forwarding while the disk flushes, and every commit made meanwhile shares the next flush (group
 * commit at the fsync, not only at the transaction).
 */
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

/** Flushes one file descriptor's data (injectable so tests can hold a flush open). */
export type DataSync = (fd: number) => Promise<void>;

const defaultDataSync: DataSync = (fd) => new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));

/** Longest wait before delivered-marks alone start a flush. */
export const LAZY_FLUSH_MS = 2;

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class WalSync {
  readonly counters = { syncs: 0 };
  private fd: number | undefined;
  private waiting: Waiter[] = [];
  private inFlight: Waiter[] = [];
  private syncing = false;
  private closed = false;
  /** An ACK-gating write is among `waiting`: flush as soon as possible. */
  private urgent = false;
  private lazyTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly walPath: string,
    private readonly dataSync: DataSync = defaultDataSync,
  ) {}

  /**
   * Resolves once everything written to the WAL before this call is on disk. A `lazy` caller (a
   * forwarder's delivered-mark: nobody waits for it at once) does not start a flush of its own; it
   * rides on the next one an ACK-gating write starts, or on one started after `LAZY_FLUSH_MS`. That
   * keeps the marks from adding flushes that the appends would then have to queue behind.
   */
  durable(lazy = false): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the journal is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!lazy) this.urgent = true;
      if (this.syncing) return; // the running flush starts the next round when it ends
      if (this.urgent) void this.run();
      else this.flushLater();
    });
  }

  /**
   * Flushes synchronously and settles every waiter (store close: nothing reported durable later may
   * be left unflushed). The descriptor is released once no flush is running on it.
   */
  closeNow(): void {
    this.closed = true;
    clearTimeout(this.lazyTimer);
    const everyone = [...this.inFlight, ...this.waiting];
    this.waiting = [];
    this.inFlight = [];
    try {
      if (everyone.length > 0) fdatasyncSync(this.descriptor());
      for (const w of everyone) w.resolve();
    } catch (err) {
      for (const w of everyone) w.reject(err as Error);
    }
    if (!this.syncing) this.release();
  }

  private async run(): Promise<void> {
    this.syncing = true;
    clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    do {
      this.inFlight = this.waiting;
      this.waiting = [];
      this.urgent = false;
      try {
        await this.dataSync(this.descriptor());
        this.counters.syncs += 1;
        for (const w of this.inFlight) w.resolve();
      } catch (err) {
        this.release(); // reopened for the next flush
        for (const w of this.inFlight) w.reject(err as Error);
      }
      this.inFlight = [];
    } while (this.urgent);
    this.syncing = false;
    if (this.closed) return this.release();
    if (this.waiting.length > 0) this.flushLater();
  }

  private flushLater(): void {
    this.lazyTimer ??= setTimeout(() => {
      this.lazyTimer = undefined;
      if (!this.syncing && this.waiting.length > 0) void this.run();
    }, LAZY_FLUSH_MS);
  }

  private descriptor(): number {
    this.fd ??= openSync(this.walPath, 'r+');
    return this.fd;
  }

  private release(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed: nothing to release
    }
    this.fd = undefined;
  }
}
