/**
 * One forwarder per route: a single consumer of the route's queued journal entries, in id order
 * (no "rotate queue": a failing message blocks the ones behind it so order is kept, NOTES.md §2.4).
 * AA/CA → delivered. AE/CE, ACK timeout, connection loss → retry the same message with exponential
 * backoff. AR/CR → dead letter with the reason. `maxAttempts` > 0 dead-letters after that many
 * failures.
 */
import type { Logger } from '../logger.js';
import type { Hl7Journal, JournalEntry } from '../store/store.js';
import type { RouteConfig } from './config.js';
import { DeliveryError, MllpClient } from './mllp/client.js';

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

  /** New work is queued (or a replay/release happened). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let batch: JournalEntry[];
      try {
        this.woken = false;
        batch = await this.o.journal.pending(this.o.route.name, 100);
      } catch (err) {
        this.o.logger.error({ route: this.o.route.name, err: (err as Error).message }, 'hl7 journal read failed; retrying');
        await this.sleep(this.o.route.retry.initialMs);
        continue;
      }
      if (batch.length === 0) {
        if (!this.woken) await this.sleep(this.o.pollMs ?? 1000);
        continue;
      }
      for (const entry of batch) {
        if (!this.running) return;
        try {
          await this.deliver(entry);
        } catch (err) {
          // A journal write failed after a send: the entry is still queued and will be sent again
          // (at-least-once); back off so a broken database is not hammered.
          this.o.logger.error({ route: this.o.route.name, journalId: entry.id, err: (err as Error).message }, 'hl7 journal update failed during delivery; will retry');
          await this.sleep(this.o.route.retry.initialMs, false);
          break;
        }
      }
    }
  }

  private async deliver(entry: JournalEntry): Promise<void> {
    const { route, journal, client, logger, counters } = this.o;
    const log = logger.child({ route: route.name, journalId: entry.id, controlId: entry.controlId });
    let attempts = entry.attempts;
    this.current = { id: entry.id, attempts };
    while (this.running) {
      const payload = entry.outbound ?? entry.inbound;
      let failure: string;
      try {
        const ack = await client.send(payload, entry.controlId);
        if (ack.code === 'AA' || ack.code === 'CA') {
          await journal.markDelivered(entry.id);
          counters.forwarded += 1;
          log.info({ ackCode: ack.code, attempts: attempts + 1 }, 'hl7 message delivered');
          this.settle(entry.id, { outcome: 'delivered', ackCode: ack.code });
          return;
        }
        if (ack.code === 'AR' || ack.code === 'CR') {
          const reason = `downstream rejected with ${ack.code}${ack.text ? `: ${ack.text}` : ''}`;
          await journal.markFailed(entry.id, reason, { dead: true });
          counters.deadLettered += 1;
          log.warn({ ackCode: ack.code }, 'hl7 message dead-lettered');
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
        log.error({ err: (err as Error).message }, 'hl7 journal update failed');
      }
      if (dead) {
        counters.deadLettered += 1;
        log.warn({ attempts, failure }, 'hl7 message dead-lettered after max attempts');
        this.settle(entry.id, { outcome: 'dead', reason: failure });
        return;
      }
      counters.retried += 1;
      const delay = Math.min(route.retry.maxMs, route.retry.initialMs * 2 ** Math.min(attempts - 1, 20));
      log.warn({ attempts, failure, retryInMs: delay }, 'hl7 delivery failed; will retry');
      await this.sleep(delay, false);
    }
  }

  private settle(id: number, s: Settlement): void {
    this.current = undefined;
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
