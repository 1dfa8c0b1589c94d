/**
 * Group commit for the journal: appends that arrive in the same I/O turn (from any connection) are
 * handed to one `journal.append` call, i.e. one durable commit, so the fsync cost is shared (the
 * issue's "fsync, with group commit for throughput"). Each caller's promise resolves only after its
 * batch is durable; then the ACK may go out.
 *
 * A batch does not wait for the previous one to become durable: the journal overlaps them (the SQLite
 * journal commits the next batch while the previous flush runs and lets one flush cover both).
 * Waiting here would add a whole flush to every message that arrives during one.
 */
import type { Hl7Journal, JournalAppend, JournalEntry } from '../store/store.js';

interface Waiting {
  message: JournalAppend;
  resolve: (entry: JournalEntry) => void;
  reject: (err: Error) => void;
}

export class GroupCommitter {
  private queue: Waiting[] = [];
  private scheduled = false;
  readonly counters = { commits: 0, messages: 0, largestBatch: 0 };

  constructor(
    private readonly journal: Hl7Journal,
    private readonly maxBatch = 500,
  ) {}

  append(message: JournalAppend): Promise<JournalEntry> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Let the other connections' frames of this I/O turn join the batch.
        setImmediate(() => this.drain());
      }
    });
  }

  private drain(): void {
    this.scheduled = false;
    while (this.queue.length > 0) void this.commit(this.queue.splice(0, this.maxBatch));
  }

  private async commit(batch: Waiting[]): Promise<void> {
    try {
      const entries = await this.journal.append(batch.map((w) => w.message));
      if (entries.length !== batch.length) throw new Error(`journal returned ${entries.length} entries for ${batch.length} messages`);
      this.counters.commits += 1;
      this.counters.messages += batch.length;
      this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
      batch.forEach((w, i) => w.resolve(entries[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err as Error);
    }
  }
}
