/**
 * Group commit for the journal: appends that arrive while a commit is running (from any connection)
 * are gathered and written by the next `journal.append` call as one durable transaction, so the
 * fsync cost is shared (the "fsync, with group commit for throughput"). Each caller's
 * promise resolves only after its batch is durable; then the ACK may go out.
 */
import type { Hl7Journal, JournalAppend, JournalEntry } from '../store/store.js';

interface Waiting {
  message: JournalAppend;
  resolve: (entry: JournalEntry) => void;
  reject: (err: Error) => void;
}

export class GroupCommitter {
  private queue: Waiting[] = [];
  private running = false;
  readonly counters = { commits: 0, messages: 0, largestBatch: 0 };

  constructor(
    private readonly journal: Hl7Journal,
    private readonly maxBatch = 500,
  ) {}

  append(message: JournalAppend): Promise<JournalEntry> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let the other connections' frames of this I/O turn join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const entries = await this.journal.append(batch.map((w) => w.message));
        if (entries.length !== batch.length) throw new Error(`journal returned ${entries.length} entries for ${batch.length} messages`);
        this.counters.commits += 1;
        this.counters.messages += batch.length;
        this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
        batch.forEach((w, i) => w.resolve(entries[i]));
      } catch (err) {
        for (const w of batch) w.reject(err as Error);
      }
    }
    this.running = false;
  }
}
