/**
 * Duplicate detection (same sender key + MSH-10 within `duplicateWindowMs`) answered from memory.
 *
 * Every message this process journals is claimed here, and at start the keys of the window are
 * loaded from the journal (`Hl7Journal.recentKeys`), so the in-memory map is complete for
 * everything received since `coveredFrom`. Only a check whose window reaches further back than that
 * (a journal without `recentKeys`, a window that outgrew `maxKeys`, a process younger than the
 * window) asks the journal (`findDuplicate`). A copy racing its original's group commit waits for
 * the original's outcome: its ACK must not stand for a message the journal may never hold.
 */
import type { Hl7Journal } from '../store/store.js';
import type { InboundClaim } from './inbound.js';

/** How long a copy waits for its original's group commit before the sender is told to resend. */
const CLAIM_WAIT_MS = 10_000;

/** Keys kept in memory at most; beyond, the oldest go and the journal answers for them. */
const DEFAULT_MAX_KEYS = 1_000_000;

/** Expired keys are dropped at most this often (the check itself compares times). */
const TRIM_EVERY_MS = 1000;

type Outcome = 'pending' | 'stored' | 'failed';

/** The journal entry a duplicate repeats (its ACK is rebuilt from it, see inbound.ts). */
export interface OriginalEntry {
  id: number;
  receivedAt: string;
}

/**
 * One received key and the claim on it. Made per message, so it holds no promise or closure unless
 * a copy actually waits for the outcome.
 */
class Seen implements InboundClaim {
  outcome: Outcome;
  /** Set once stored. */
  original: OriginalEntry | undefined;
  private waiters: Array<(stored: boolean) => void> | undefined;

  constructor(
    readonly time: number,
    outcome: Outcome,
    /** Where a failed claim is forgotten (absent for keys loaded from the journal). */
    private readonly owner?: { forget(key: string, seen: Seen): void },
    private readonly key = '',
  ) {
    this.outcome = outcome;
  }

  stored(entry: OriginalEntry): void {
    this.original = { id: entry.id, receivedAt: entry.receivedAt };
    this.settle('stored');
  }

  failed(): void {
    this.settle('failed');
    this.owner?.forget(this.key, this);
  }

  /** Resolves true once stored, false when storing failed. */
  settled(): Promise<boolean> {
    if (this.outcome !== 'pending') return Promise.resolve(this.outcome === 'stored');
    return new Promise((resolve) => (this.waiters ??= []).push(resolve));
  }

  private settle(outcome: Outcome): void {
    if (this.outcome !== 'pending') return;
    this.outcome = outcome;
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters) for (const w of waiters) w(outcome === 'stored');
  }
}

export interface DuplicateWindowOptions {
  journal: Hl7Journal;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export class DuplicateWindow {
  /** key → when it was received; insertion order is time order. */
  private readonly seen = new Map<string, Seen>();
  /** The map holds every key received at or after this time (ms). */
  private coveredFrom: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private nextTrim = 0;

  constructor(private readonly o: DuplicateWindowOptions) {
    this.maxKeys = o.maxKeys ?? DEFAULT_MAX_KEYS;
    this.now = o.now ?? Date.now;
    this.coveredFrom = this.now();
  }

  /** Loads the window's keys from the journal (at start, before the listeners open). Returns how many. */
  async load(): Promise<number> {
    if (this.o.windowMs === 0 || !this.o.journal.recentKeys) return 0;
    const from = this.now() - this.o.windowMs;
    const keys = await this.o.journal.recentKeys(new Date(from).toISOString());
    for (const k of keys) {
      const key = keyOf(k.sender, k.controlId);
      if (this.seen.has(key)) continue;
      const seen = new Seen(Date.parse(k.receivedAt), 'stored');
      seen.original = { id: k.id, receivedAt: k.receivedAt };
      this.seen.set(key, seen);
    }
    this.coveredFrom = Math.min(this.coveredFrom, from);
    this.nextTrim = 0;
    this.trim(this.now());
    return keys.length;
  }

  /** Whether sender + controlId was already received within the window. */
  async isDuplicate(sender: string, controlId: string): Promise<boolean> {
    return (await this.originalOf(sender, controlId)) !== undefined;
  }

  /** The journal entry of an earlier message with this sender + controlId within the window, if any. */
  async originalOf(sender: string, controlId: string): Promise<OriginalEntry | undefined> {
    const window = this.o.windowMs;
    if (window === 0) return undefined;
    const now = this.now();
    this.trim(now);
    const seen = this.seen.get(keyOf(sender, controlId));
    if (seen !== undefined && now - seen.time <= window) {
      if (seen.outcome === 'stored') return seen.original;
      // A copy of a message still being stored: answer once the original is durable. If the original
      // failed, this copy is processed as new; if it is still pending after the wait, the caller
      // answers "resend later".
      const stored = await Promise.race([seen.settled(), new Promise<'pending'>((r) => setTimeout(() => r('pending'), CLAIM_WAIT_MS).unref())]);
      if (stored === 'pending') throw new Error(`the original of ${controlId} is still being stored`);
      if (stored) return seen.original;
    }
    if (now - window >= this.coveredFrom) return undefined;
    const id = await this.o.journal.findDuplicate(sender, controlId, new Date(now - window).toISOString());
    if (id === undefined) return undefined;
    const entry = await this.o.journal.get(id);
    return { id, receivedAt: entry?.receivedAt ?? new Date(now).toISOString() };
  }

  /** Marks sender + controlId as received now; a copy waits on the claim's outcome. */
  claim(sender: string, controlId: string): InboundClaim {
    const key = keyOf(sender, controlId);
    const seen = new Seen(this.now(), 'pending', this, key);
    this.seen.delete(key); // re-inserted at the end: insertion order stays time order
    this.seen.set(key, seen);
    return seen;
  }

  /** A claim whose message was not stored: a copy is new again. */
  forget(key: string, seen: Seen): void {
    if (this.seen.get(key) === seen) this.seen.delete(key);
  }

  /** Keys held in memory. */
  get size(): number {
    return this.seen.size;
  }

  /** Drops keys older than the window, and the oldest beyond `maxKeys` (the journal then answers for them). */
  private trim(now: number): void {
    if (now < this.nextTrim && this.seen.size <= this.maxKeys) return;
    this.nextTrim = now + TRIM_EVERY_MS;
    for (const [key, s] of this.seen) {
      const expired = now - s.time > this.o.windowMs;
      if (!expired && this.seen.size <= this.maxKeys) break;
      if (s.outcome === 'pending') break; // still being stored: its copies must find it here
      this.seen.delete(key);
      if (!expired) this.coveredFrom = Math.max(this.coveredFrom, s.time + 1);
    }
  }
}

/** NUL cannot occur in an HL7 field, so the key is unambiguous. */
function keyOf(sender: string, controlId: string): string {
  return `${sender}\u0000${controlId}`;
}
