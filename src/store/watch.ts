/**
 * `Store.watch` by polling: every interval, if `headSeq` moved, read the versions above the last
 * one delivered and hand them to the subscriber. Shared by both implementations (MongoDB also
 * calls `poke()` from a change stream to poll at once instead of waiting for the timer).
 *
 * Seqs are allocated before commit, so with several writers a higher seq can become visible
 * before a lower one (MongoDB; SQLite serialises writers so it never happens there). A missing seq
 * is therefore remembered as a gap and re-read on the next polls until it shows up or
 * `gapTimeoutMs` passes (a writer that died after taking a seq leaves a permanent gap).
 */
import type { ResourceStore, ResourceVersion, WatchOptions } from './store.js';

export interface VersionFeed {
  headSeq(): Promise<number>;
  /** Visible versions with seq > afterSeq, oldest first. */
  versionsAfter(afterSeq: number, limit: number): Promise<ResourceVersion[]>;
}

export interface PollingWatchOptions {
  feed: VersionFeed;
  intervalMs: number;
  onChange: (versions: ResourceVersion[]) => void;
  onError?: (err: unknown) => void;
  /** Deliver versions above this seq (default: the head when the watch starts). */
  afterSeq?: number;
  gapTimeoutMs?: number;
  pageSize?: number;
}

/** A polling watch over a ResourceStore's history, as every store implementation's `watch` starts it. */
export function watchResourceStore(resources: Pick<ResourceStore, 'headSeq' | 'history'>, intervalMs: number, onChange: (versions: ResourceVersion[]) => void, options: WatchOptions = {}): PollingWatch {
  return new PollingWatch({
    intervalMs,
    onChange,
    ...(options.afterSeq !== undefined && { afterSeq: options.afterSeq }),
    ...(options.onError && { onError: options.onError }),
    feed: {
      headSeq: () => resources.headSeq(),
      versionsAfter: (afterSeq, limit) => resources.history({ afterSeq, limit, order: 'asc' }),
    },
  });
}

export class PollingWatch {
  private delivered = 0;
  private readonly gaps = new Map<number, number>(); // seq → first noticed (ms)
  private readonly seenAboveFloor = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** False until the starting seq is known (a database down at subscription time is retried). */
  private started = false;

  constructor(private readonly options: PollingWatchOptions) {
    if (options.afterSeq !== undefined) {
      this.delivered = options.afterSeq;
      this.started = true;
    }
    this.schedule();
    // The first poll fixes the starting point (head now) or delivers what is above afterSeq.
    this.poke();
  }

  /** Poll now (e.g. a change stream saw a write). */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.poll()
      .catch((err) => this.options.onError?.(err))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.poke();
      this.schedule();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private floor(): number {
    let floor = this.delivered;
    for (const seq of this.gaps.keys()) floor = Math.min(floor, seq - 1);
    return floor;
  }

  private async poll(): Promise<void> {
    const { feed, onChange } = this.options;
    const pageSize = this.options.pageSize ?? 500;
    const head = await feed.headSeq();
    if (!this.started) {
      this.delivered = head;
      this.started = true;
      return;
    }
    if (head <= this.delivered && this.gaps.size === 0) return;
    let cursor = this.floor();
    for (;;) {
      const page = await feed.versionsAfter(cursor, pageSize);
      const fresh = page.filter((v) => !this.seenAboveFloor.has(v.seq) && (v.seq > this.delivered || this.gaps.has(v.seq)));
      this.track(page);
      if (fresh.length > 0 && !this.stopped) onChange(fresh);
      if (page.length < pageSize) break;
      cursor = page[page.length - 1]!.seq;
    }
    this.expireGaps();
  }

  private track(page: ResourceVersion[]): void {
    for (const v of page) {
      if (v.seq > this.delivered) {
        // A huge jump is not a handful of in-flight writers: do not track it seq by seq.
        for (let missing = this.delivered + 1; missing < v.seq && v.seq - this.delivered < 10_000; missing++) {
          if (!this.gaps.has(missing)) this.gaps.set(missing, Date.now());
        }
        this.delivered = v.seq;
      }
      this.gaps.delete(v.seq);
      this.seenAboveFloor.add(v.seq);
    }
  }

  private expireGaps(): void {
    const timeout = this.options.gapTimeoutMs ?? 30_000;
    const now = Date.now();
    for (const [seq, since] of this.gaps) if (now - since > timeout) this.gaps.delete(seq);
    const floor = this.floor();
    for (const seq of this.seenAboveFloor) if (seq <= floor) this.seenAboveFloor.delete(seq);
  }
}
