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
 * forwarding while the disk flushes. Every commit made in one I/O turn shares one flush (group commit
 * at the fsync, not only at the transaction); a commit made while a flush runs starts an overlapping
 * one (up to MAX_CONCURRENT_FLUSHES), and writers are told "durable" in the order their flushes
 * started.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

/** Flushes one file descriptor's data (injectable so tests can hold a flush open). */
export type DataSync = (fd: number) => Promise<void>;

const defaultDataSync: DataSync = (fd) => new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));

/** Longest wait before delivered-marks alone start a flush. */
export const LAZY_FLUSH_MS = 2;

/**
 * How many flushes may run at once. A commit made while a flush runs need not wait for it to end: a
 * flush started after the commit's frames were written covers them, so the commit starts its own
 * (overlapping) flush instead of queueing behind the running one, which with lock-step senders adds
 * half a flush to every message on average. Bounded so the flushes cannot fill libuv's thread pool
 * (4 threads) that the rest of the process shares; past the bound, writes wait together for the next.
 */
export const MAX_CONCURRENT_FLUSHES = 2;

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** One running flush and the writers it covers. */
interface Flush {
  seq: number;
  group: Waiter[];
  done: boolean;
  error?: Error;
}

export class WalSync {
  readonly counters = { syncs: 0 };
  private fd: number | undefined;
  /** Writers whose frames are in the WAL and who wait for a flush started after them. */
  private waiting: Waiter[] = [];
  /** Running or finished-but-unsettled flushes, oldest first: they settle in the order they started. */
  private inFlight: Flush[] = [];
  private seq = 0;
  /** Flushes started up to this one were running when a flush failed: they fail too (see settle). */
  private failedThrough = 0;
  private closed = false;
  /** A flush failed: reopen the descriptor once no flush runs on it. */
  private reopen = false;
  /** An ACK-gating write is among `waiting`: flush as soon as possible. */
  private urgent = false;
  private lazyTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly walPath: string,
    private readonly dataSync: DataSync = defaultDataSync,
    private readonly maxConcurrent = MAX_CONCURRENT_FLUSHES,
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
      if (this.urgent && this.running() < this.maxConcurrent) this.start();
      else if (!this.urgent && this.inFlight.length === 0) this.flushLater();
      // else a running flush starts the next one when it ends
    });
  }

  /**
   * Flushes synchronously and settles every waiter (store close: nothing reported durable later may
   * be left unflushed). The descriptor is released once no flush is running on it.
   */
  closeNow(): void {
    this.closed = true;
    clearTimeout(this.lazyTimer);
    const everyone = [...this.inFlight.flatMap((f) => f.group.splice(0)), ...this.waiting];
    this.waiting = [];
    try {
      if (everyone.length > 0) fdatasyncSync(this.descriptor());
      for (const w of everyone) w.resolve();
    } catch (err) {
      for (const w of everyone) w.reject(err as Error);
    }
    if (this.running() === 0) this.release();
  }

  private running(): number {
    let n = 0;
    for (const f of this.inFlight) if (!f.done) n += 1;
    return n;
  }

  private start(): void {
    clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    const fd = this.descriptor();
    const flush: Flush = { seq: ++this.seq, group: this.waiting, done: false };
    this.waiting = [];
    this.urgent = false;
    this.inFlight.push(flush);
    this.dataSync(fd).then(
      () => this.end(flush, undefined),
      (err: unknown) => this.end(flush, err as Error),
    );
  }

  private end(flush: Flush, err: Error | undefined): void {
    flush.done = true;
    if (err) {
      flush.error = err;
      // The error may have been reported to this flush alone (Linux reports a writeback error once
      // per open file), so a flush that started before it was known proves nothing: fail those too.
      this.failedThrough = this.seq;
      this.reopen = true;
    } else {
      this.counters.syncs += 1;
    }
    // Settle in start order: a writer is told "durable" only when every earlier flush is done too.
    while (this.inFlight[0]?.done) {
      const f = this.inFlight.shift()!;
      const failure = f.error ?? (f.seq <= this.failedThrough ? new Error('an overlapping WAL flush failed') : undefined);
      for (const w of f.group) {
        if (failure) w.reject(failure);
        else w.resolve();
      }
    }
    if (this.running() === 0 && (this.reopen || this.closed)) this.release();
    if (this.closed) return;
    if (this.urgent && this.running() < this.maxConcurrent) this.start();
    else if (this.waiting.length > 0 && this.inFlight.length === 0) this.flushLater();
  }

  private flushLater(): void {
    this.lazyTimer ??= setTimeout(() => {
      this.lazyTimer = undefined;
      if (this.inFlight.length === 0 && this.waiting.length > 0) this.start();
    }, LAZY_FLUSH_MS);
  }

  private descriptor(): number {
    if (this.reopen && this.running() === 0) {
      this.release();
      this.reopen = false;
    }
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
