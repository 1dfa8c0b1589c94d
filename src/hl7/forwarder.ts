/**
 * One forwarder per route: a single consumer of the route's queued journal entries, in id order
 * (no "rotate queue": a failing message blocks the ones behind it so order is kept, NOTES.md §2.4).
 * AA/CA → delivered. AE/CE, ACK timeout, connection loss → retry the same message with exponential
 * backoff. AR/CR → dead letter with the reason. `maxAttempts` > 0 dead-letters after that many
 * failures.
 *
 * Sending is strictly one message at a time (no pipelining on the wire): with several messages in
 * flight, an AE on one would be retried after its successors were already accepted, breaking order.
 * What is pipelined is the journal write after an AA/CA: the delivered-mark is queued and the next
 * message is sent without waiting for the mark's fsync (it joins the journal's group commit). At most
 * `MAX_UNRECORDED_DELIVERIES` marks are outstanding; a crash can therefore re-deliver at most that
 * many messages (plus the one in flight) — only messages whose ACK was not yet durably recorded,
 * never one the journal did not hold. A failed mark stops sending, waits for the other marks, backs off
 * and resumes from the oldest message still queued (at-least-once, order of first delivery kept).
 *
 * The journal is the source of truth, but the hot path does not re-read it: once a read has returned
 * the whole queue ("caught up"), messages this process appends are handed over in memory (`offer`,
 * after their append is durable, in id order) instead of being read back with their bodies. The
 * journal is read again at start, after any failure, when an operator re-queues something (`wake`),
 * when the in-memory list is full, and at least every `REREAD_MS` (re-queues made by another process,
 * e.g. the CLI on the same store).
 */
import type { Logger } from '../logger.js';
import type { Hl7Journal, JournalEntry } from '../store/store.js';
import type { RouteConfig } from './config.js';
import { DeliveryError, MllpClient } from './mllp/client.js';

/** Delivered-marks that may be outstanding (not yet durable) while the next messages are sent. */
export const MAX_UNRECORDED_DELIVERIES = 64;

/** Messages read from the journal per pass. */
const BATCH = 100;

/** Longest time between two journal reads while messages are handed over in memory. */
export const REREAD_MS = 1000;

/** Messages held in memory for delivery; beyond this, offers are dropped and read from the journal later. */
const MAX_WORK = 1000;

export type Settlement = { outcome: 'delivered'; ackCode: string } | { outcome: 'dead'; reason: string; ackCode?: string };

export interface ForwarderCounters {
  forwarded: number;
  retried: number;
  deadLettered: number;
}

export interface ForwarderOptions {
  route: RouteConfig;
  journal: Hl7Journal;
  client: MllpClient;
  logger: Logger;
  counters: ForwarderCounters;
  /** Called when an entry is delivered or dead-lettered (synchronous mode waits on it). */
  onSettled?: (id: number, settlement: Settlement) => void;
  /** Safety poll when nobody wakes the forwarder (ms). */
  pollMs?: number;
}

export class RouteForwarder {
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private stopWake?: () => void;
  private woken = false;
  /** Messages to deliver, in id order (from journal reads and in-memory offers). */
  private work: JournalEntry[] = [];
  private readonly inWork = new Set<number>();
  /** The last journal read returned the whole queue, so offers continue it in order. */
  private caughtUp = false;
  private rereadWanted = true;
  private lastReadAt = 0;
  /** Delivered (AA/CA) entries whose mark is not durable yet, oldest first. */
  private readonly unrecorded = new Map<number, Promise<void>>();
  /** First failure of a delivered-mark; the loop backs off and re-reads the journal. */
  private markError?: Error;
  /** Id being delivered now, and its attempt count (for stats). */
  current?: { id: number; attempts: number; lastError?: string };

  constructor(private readonly o: ForwarderOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((err: Error) => {
      this.o.logger.error({ route: this.o.route.name, err: err.message }, 'hl7 forwarder stopped on an unexpected error');
      this.running = false;
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopWake?.();
    this.o.client.close();
    await this.loop;
  }

  /** Something was re-queued in the journal (replay, release): read it again. */
  wake(): void {
    this.rereadWanted = true;
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * A message this process appended is durable and queued: deliver it without reading it back. Ignored
   * (it will be read from the journal) unless the forwarder is caught up with the journal.
   */
  offer(entry: JournalEntry): void {
    if (this.caughtUp && this.work.length < MAX_WORK && !this.inWork.has(entry.id)) {
      this.work.push(entry);
      this.inWork.add(entry.id);
    } else {
      this.caughtUp = false;
    }
    this.woken = true;
    this.wakeUp?.();
  }

  /** Forget the in-memory list; the next pass reads the journal. */
  private resync(): void {
    this.work = [];
    this.inWork.clear();
    this.caughtUp = false;
    this.rereadWanted = true;
  }

  private readDue(): boolean {
    if (this.rereadWanted) return true;
    if (this.work.length === 0) return !this.caughtUp || Date.now() - this.lastReadAt >= REREAD_MS;
    return Date.now() - this.lastReadAt >= REREAD_MS;
  }

  /** Reads the route's queue from the journal and merges it into the in-memory list. */
  private async readJournal(): Promise<void> {
    this.rereadWanted = false;
    this.woken = false;
    this.lastReadAt = Date.now();
    // Entries delivered whose mark is not durable yet may still read as `queued`: skip them. The
    // set is taken before the read, so a mark that completes during the read still counts.
    const skip = new Set(this.unrecorded.keys());
    const limit = BATCH + skip.size + this.work.length;
    const read = await this.o.journal.pending(this.o.route.name, limit);
    let added = false;
    for (const e of read) {
      if (skip.has(e.id) || this.inWork.has(e.id)) continue;
      this.work.push(e);
      this.inWork.add(e.id);
      added = true;
    }
    if (added) this.work.sort((a, b) => a.id - b.id);
    this.caughtUp = read.length < limit;
  }

  private async run(): Promise<void> {
    try {
      await this.deliverQueued();
    } finally {
      await this.marksRecorded();
    }
  }

  private async deliverQueued(): Promise<void> {
    while (this.running) {
      if (this.markError) {
        await this.marksRecorded();
        this.o.logger.error({ route: this.o.route.name, err: this.markError.message }, 'hl7 journal update failed after delivery; unrecorded messages will be sent again');
        this.markError = undefined;
        this.resync();
        await this.sleep(this.o.route.retry.initialMs, false);
        continue;
      }
      if (this.readDue()) {
        try {
          await this.readJournal();
        } catch (err) {
          this.o.logger.error({ route: this.o.route.name, err: (err as Error).message }, 'hl7 journal read failed; retrying');
          this.resync();
          await this.sleep(this.o.route.retry.initialMs);
          continue;
        }
      }
      const entry = this.work.shift();
      if (entry === undefined) {
        // Outstanding marks are not waited for here (that would put their flush back on the delivery
        // path); a failing one wakes the loop.
        if (!this.woken) await this.sleep(this.o.pollMs ?? 1000);
        this.woken = false;
        continue;
      }
      this.inWork.delete(entry.id);
      try {
        await this.deliver(entry);
      } catch (err) {
        // A journal write failed after a send: the entry is still queued and will be sent again
        // (at-least-once); back off so a broken database is not hammered.
        this.o.logger.error({ route: this.o.route.name, journalId: entry.id, err: (err as Error).message }, 'hl7 journal update failed during delivery; will retry');
        this.resync();
        await this.sleep(this.o.route.retry.initialMs, false);
      }
    }
  }

  /** Queues the delivered-mark; the next message goes out while it is being made durable. */
  private recordDelivered(entry: JournalEntry, ackCode: string, attempts: number): Promise<void> {
    const { journal, counters, logger, route } = this.o;
    const recorded = journal.markDelivered(entry.id).then(
      () => {
        this.unrecorded.delete(entry.id);
        counters.forwarded += 1;
        if (logger.isLevelEnabled('info')) logger.info({ route: route.name, journalId: entry.id, controlId: entry.controlId, ackCode, attempts }, 'hl7 message delivered');
        this.settle(entry.id, { outcome: 'delivered', ackCode });
      },
      (err: Error) => {
        this.unrecorded.delete(entry.id);
        this.markError ??= err;
        this.wakeUp?.();
      },
    );
    this.unrecorded.set(entry.id, recorded);
    if (this.unrecorded.size < MAX_UNRECORDED_DELIVERIES) return Promise.resolve();
    return this.unrecorded.values().next().value!; // wait for the oldest
  }

  private async marksRecorded(): Promise<void> {
    while (this.unrecorded.size > 0) await Promise.all([...this.unrecorded.values()]);
  }

  private async deliver(entry: JournalEntry): Promise<void> {
    const { route, journal, client, logger, counters } = this.o;
    // Only the failure paths log from here; the child logger is built when one does.
    const log = () => logger.child({ route: route.name, journalId: entry.id, controlId: entry.controlId });
    let attempts = entry.attempts;
    this.current = { id: entry.id, attempts };
    while (this.running) {
      const payload = entry.outbound ?? entry.inbound;
      let failure: string;
      try {
        const ack = await client.send(payload, entry.controlId);
        if (ack.code === 'AA' || ack.code === 'CA') {
          this.current = undefined;
          await this.recordDelivered(entry, ack.code, attempts + 1);
          return;
        }
        if (ack.code === 'AR' || ack.code === 'CR') {
          const reason = `downstream rejected with ${ack.code}${ack.text ? `: ${ack.text}` : ''}`;
          await journal.markFailed(entry.id, reason, { dead: true });
          counters.deadLettered += 1;
          log().warn({ ackCode: ack.code }, 'hl7 message dead-lettered');
          this.settle(entry.id, { outcome: 'dead', reason, ackCode: ack.code });
          return;
        }
        failure = `downstream answered ${ack.code || 'without MSA-1'}${ack.text ? `: ${ack.text}` : ''}`;
      } catch (err) {
        failure = err instanceof DeliveryError ? err.message : `delivery error: ${(err as Error).message}`;
      }
      attempts += 1;
      this.current = { id: entry.id, attempts, lastError: failure };
      const dead = route.retry.maxAttempts > 0 && attempts >= route.retry.maxAttempts;
      try {
        await journal.markFailed(entry.id, failure, { dead });
      } catch (err) {
        log().error({ err: (err as Error).message }, 'hl7 journal update failed');
      }
      if (dead) {
        counters.deadLettered += 1;
        log().warn({ attempts, failure }, 'hl7 message dead-lettered after max attempts');
        this.settle(entry.id, { outcome: 'dead', reason: failure });
        return;
      }
      counters.retried += 1;
      const delay = Math.min(route.retry.maxMs, route.retry.initialMs * 2 ** Math.min(attempts - 1, 20));
      log().warn({ attempts, failure, retryInMs: delay }, 'hl7 delivery failed; will retry');
      await this.sleep(delay, false);
    }
  }

  private settle(id: number, s: Settlement): void {
    if (this.current?.id === id) this.current = undefined;
    this.o.onSettled?.(id, s);
  }

  /** Sleeps up to `ms`, or until stopped, or (when `wakeOnWork`) until new work is signalled. */
  private sleep(ms: number, wakeOnWork = true): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.stopWake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopWake = done;
      if (wakeOnWork) this.wakeUp = done;
    });
  }
}
