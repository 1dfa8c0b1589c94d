/**
 * HL7 store-and-forward journal in SQLite. `append` is the ACK gate: it resolves only after the rows
 * are durable. Writes are committed together on the journal's own connection (synchronous=NORMAL):
 * an append batch (the gateway's group commit gathers one per I/O turn) at the end of the callback
 * that made it, with every write queued so far; other writes at the end of the turn; delivered-marks
 * ride on the next commit (or go after LAZY_COMMIT_MS). Each write settles only after the fdatasync
 * of the WAL that covers it (wal-sync.ts). The flush runs off the event loop and is shared by every commit made while
 * the previous flush was running, so neither the ACKs nor the marks pay one fsync each.
 *
 * Reads that lead to something the outside world sees wait for durability: `pending` hands out only
 * messages whose append is flushed, and `findDuplicate` answers for an unflushed copy only once it is
 * flushed.
 */
import Database from 'better-sqlite3';
import { NotFoundError, UnavailableError } from '../../errors.js';
import type { Hl7Journal, JournalAppend, JournalEntry, JournalQuery, JournalState } from '../store.js';
import { JOURNAL_STATES, validateJournalAppend } from '../journal-rules.js';
import { toInstant } from '../canonical.js';
import { type Db, limitClause, writeTransaction } from './db.js';
import { mapSqliteError } from './errors.js';
import { type DataSync, WalSync } from './wal-sync.js';

interface JournalRow {
  id: number;
  route: string;
  sender: string;
  control_id: string;
  message_type: string;
  inbound: Buffer;
  outbound: Buffer | null;
  state: JournalState;
  note: string | null;
  received_at: string;
  updated_at: string;
  attempts: number;
  last_error: string | null;
}

function toEntry(row: JournalRow): JournalEntry {
  const entry: JournalEntry = {
    id: row.id,
    route: row.route,
    sender: row.sender,
    controlId: row.control_id,
    messageType: row.message_type,
    inbound: row.inbound,
    state: row.state,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    attempts: row.attempts,
  };
  if (row.outbound !== null) entry.outbound = row.outbound;
  if (row.note !== null) entry.note = row.note;
  if (row.last_error !== null) entry.lastError = row.last_error;
  return entry;
}

/** One queued write; every write of a tick shares one transaction and one WAL flush. */
type JournalWrite =
  | { kind: 'append'; messages: JournalAppend[]; resolve: (entries: JournalEntry[]) => void; reject: (err: unknown) => void }
  | { kind: 'update'; id: number; sets: string; args: unknown[]; lazy: boolean; resolve: () => void; reject: (err: unknown) => void };

/** Longest wait before delivered-marks alone are committed (they usually ride on an append's transaction). */
export const LAZY_COMMIT_MS = 2;

type Outcome = { ok: true; value: JournalEntry[] | undefined } | { ok: false; error: unknown };

export interface SqliteJournalOptions {
  /** Replaces the WAL fdatasync (tests hold a flush open to observe the ACK gate). */
  dataSync?: DataSync;
}

export class SqliteJournal implements Hl7Journal {
  private queue: JournalWrite[] = [];
  private flushScheduled = false;
  /** A microtask will commit the queue (appends). */
  private commitSoon = false;
  /** Commits queued delivered-marks when no append comes along to carry them. */
  private lazyTimer: NodeJS.Timeout | undefined;
  /** The journal's own connection: synchronous=NORMAL, made durable by `wal` (see wal-sync.ts). */
  private readonly conn: Db;
  private readonly wal: WalSync | undefined;
  /** Smallest id of each committed append batch whose WAL flush is still running, oldest first. */
  private readonly unflushedFrom: number[] = [];
  private readonly insertRow;
  private readonly selectRow;
  private readonly selectPending;
  private readonly selectDuplicate;
  private readonly updates = new Map<string, Database.Statement>();

  constructor(db: Db, options: SqliteJournalOptions = {}) {
    const wal = !db.memory && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    if (wal) {
      this.conn = new Database(db.name);
      this.conn.pragma('busy_timeout = 10000');
      this.conn.pragma('synchronous = NORMAL');
      this.wal = new WalSync(`${db.name}-wal`, options.dataSync);
    } else {
      this.conn = db; // no WAL to flush: every commit is synced by SQLite itself (synchronous=FULL)
    }
    this.insertRow = this.conn.prepare(
      `INSERT INTO hl7_journal (route, sender, control_id, message_type, inbound, outbound, state, note, received_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectRow = this.conn.prepare('SELECT * FROM hl7_journal WHERE id = ?');
    this.selectPending = this.conn.prepare("SELECT * FROM hl7_journal WHERE route = ? AND state = 'queued' AND id < ? ORDER BY id LIMIT ?");
    // An index-only scan of the window (hl7_journal_received_keys): the gateway asks only for what its
    // in-memory duplicate window does not cover.
    this.selectDuplicate = this.conn.prepare('SELECT id FROM hl7_journal WHERE sender = ? AND control_id = ? AND received_at >= ? ORDER BY id LIMIT 1');
  }

  append(messages: JournalAppend[]): Promise<JournalEntry[]> {
    try {
      messages.forEach(validateJournalAppend);
    } catch (err) {
      return Promise.reject(err);
    }
    if (messages.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => this.enqueue({ kind: 'append', messages, resolve, reject }));
  }

  /**
   * Commits everything queued and makes it durable before returning (store close). Nothing reported
   * durable is left unflushed; the journal's connection is closed.
   */
  flush(): void {
    this.commitQueued();
    this.wal?.closeNow();
    if (this.conn.open && this.wal) this.conn.close();
  }

  private enqueue(write: JournalWrite): void {
    this.queue.push(write);
    if (write.kind === 'update' && write.lazy) {
      // A delivered-mark: nobody waits for it at once, so it rides on the next append's transaction
      // instead of paying a transaction of its own; alone, marks are committed after LAZY_COMMIT_MS.
      if (!this.flushScheduled && !this.commitSoon && this.lazyTimer === undefined) {
        this.lazyTimer = setTimeout(() => {
          this.lazyTimer = undefined;
          if (!this.flushScheduled) this.commitQueued();
        }, LAZY_COMMIT_MS);
      }
      return;
    }
    if (write.kind === 'append') {
      // Appends come batched per I/O turn already (the gateway's GroupCommitter): commit them at the
      // end of the current callback, not one loop iteration later; writes queued meanwhile join.
      if (!this.commitSoon) {
        this.commitSoon = true;
        queueMicrotask(() => {
          this.commitSoon = false;
          this.commitQueued();
        });
      }
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Let the other connections' frames and the forwarder's ACKs of this I/O turn join the batch.
      setImmediate(() => this.commitQueued());
    }
  }

  /** One transaction for the queued writes; each write settles after the WAL flush that covers it. */
  private commitQueued(): void {
    this.flushScheduled = false;
    clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const outcomes = this.commit(batch);
    const firstId = outcomes.reduce<number | undefined>((min, o) => (o.ok && o.value?.length ? Math.min(min ?? Infinity, o.value[0]!.id) : min), undefined);
    if (firstId !== undefined) this.unflushedFrom.push(firstId);
    const settle = (flushError?: unknown) => {
      if (firstId !== undefined) this.unflushedFrom.splice(this.unflushedFrom.indexOf(firstId), 1);
      batch.forEach((w, i) => {
        const o = outcomes[i]!;
        if (!o.ok) return w.reject(o.error);
        if (flushError !== undefined) return w.reject(flushError);
        if (w.kind === 'append') w.resolve(o.value!);
        else w.resolve();
      });
    };
    if (!this.wal || outcomes.every((o) => !o.ok)) return settle();
    // Only delivered-marks in the batch: nobody is waiting on an ACK for them (see WalSync.durable).
    const lazy = batch.every((w) => w.kind === 'update' && w.lazy);
    this.wal.durable(lazy).then(
      () => settle(),
      (err: unknown) => settle(new UnavailableError(`HL7 journal flush failed: ${(err as Error).message}`)),
    );
  }

  private commit(batch: JournalWrite[]): Outcome[] {
    try {
      return mapSqliteError(() => writeTransaction(this.conn, () => batch.map((w) => this.apply(w))));
    } catch (err) {
      if (batch.length === 1) return [{ ok: false, error: err }];
      // One failing write must not fail the others of the group: retry each on its own.
      return batch.map((w) => {
        try {
          return mapSqliteError(() => writeTransaction(this.conn, () => this.apply(w)));
        } catch (own) {
          return { ok: false, error: own };
        }
      });
    }
  }

  private apply(w: JournalWrite): Outcome {
    if (w.kind === 'append') return { ok: true, value: w.messages.map((m) => this.insertOne(m)) };
    let statement = this.updates.get(w.sets);
    if (!statement) {
      statement = this.conn.prepare(`UPDATE hl7_journal SET ${w.sets}, updated_at = ? WHERE id = ?`);
      this.updates.set(w.sets, statement);
    }
    const changes = statement.run(...w.args, new Date().toISOString(), w.id).changes;
    // Reported, not thrown: a throw would roll back the other writes of the group.
    return changes === 0 ? { ok: false, error: new NotFoundError(`HL7 journal entry ${w.id} does not exist`) } : { ok: true, value: undefined };
  }

  async findDuplicate(sender: string, controlId: string, since: string): Promise<number | undefined> {
    const row = mapSqliteError(() => this.selectDuplicate.get(sender, controlId, toInstant(since)) as { id: number } | undefined);
    // A copy of a message whose append is committed but not yet flushed is answered only once the
    // original is durable: its ACK must not promise more than the journal holds.
    if (row && this.wal && this.unflushedFrom.length > 0 && row.id >= this.unflushedFrom[0]!) await this.wal.durable();
    return row?.id;
  }

  async recentKeys(since: string): Promise<Array<{ id: number; sender: string; controlId: string; receivedAt: string }>> {
    return mapSqliteError(
      () => this.conn.prepare('SELECT id, sender, control_id AS controlId, received_at AS receivedAt FROM hl7_journal WHERE received_at >= ? ORDER BY received_at, id').all(toInstant(since)) as Array<{ id: number; sender: string; controlId: string; receivedAt: string }>,
    );
  }

  /** Only messages whose append is durable (ids below the oldest unflushed batch) are handed out. */
  async pending(route: string, limit: number): Promise<JournalEntry[]> {
    const below = this.unflushedFrom[0] ?? Number.MAX_SAFE_INTEGER;
    return mapSqliteError(() => (this.selectPending.all(route, below, limit) as JournalRow[]).map(toEntry));
  }

  markDelivered(id: number): Promise<void> {
    return this.update(id, "state = 'delivered', attempts = attempts + 1, last_error = NULL", [], true);
  }

  markFailed(id: number, error: string, options: { dead?: boolean } = {}): Promise<void> {
    const state = options.dead ? "state = 'dead', " : '';
    return this.update(id, `${state}attempts = attempts + 1, last_error = ?`, [error]);
  }

  setState(id: number, state: JournalState, options: { outbound?: Buffer; note?: string } = {}): Promise<void> {
    if (!JOURNAL_STATES.has(state)) return Promise.reject(new RangeError(`unknown journal state ${state}`));
    const sets = ['state = ?'];
    const args: unknown[] = [state];
    if (options.outbound !== undefined) (sets.push('outbound = ?'), args.push(options.outbound));
    if (options.note !== undefined) (sets.push('note = ?'), args.push(options.note));
    return this.update(id, sets.join(', '), args);
  }

  async get(id: number): Promise<JournalEntry | undefined> {
    return mapSqliteError(() => {
      const row = this.selectRow.get(id) as JournalRow | undefined;
      return row && toEntry(row);
    });
  }

  async list(query: JournalQuery): Promise<JournalEntry[]> {
    const parts: string[] = [];
    const args: unknown[] = [];
    if (query.route !== undefined) (parts.push('route = ?'), args.push(query.route));
    if (query.state !== undefined) (parts.push('state = ?'), args.push(query.state));
    if (query.from !== undefined) (parts.push('received_at >= ?'), args.push(toInstant(query.from)));
    if (query.to !== undefined) (parts.push('received_at <= ?'), args.push(toInstant(query.to)));
    if (query.afterId !== undefined) (parts.push('id > ?'), args.push(query.afterId));
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    const limit = limitClause(query.limit);
    return mapSqliteError(() => (this.conn.prepare(`SELECT * FROM hl7_journal ${where} ORDER BY id ${limit}`).all(...args) as JournalRow[]).map(toEntry));
  }

  async counts(): Promise<Array<{ route: string; state: JournalState; count: number }>> {
    return mapSqliteError(
      () => this.conn.prepare('SELECT route, state, COUNT(*) AS count FROM hl7_journal GROUP BY route, state ORDER BY route, state').all() as Array<{ route: string; state: JournalState; count: number }>,
    );
  }

  private insertOne(m: JournalAppend): JournalEntry {
    const now = new Date().toISOString();
    const info = this.insertRow.run(m.route, m.sender, m.controlId, m.messageType, m.inbound, m.outbound ?? null, m.state, m.note ?? null, now, now);
    return { ...m, id: Number(info.lastInsertRowid), receivedAt: now, updatedAt: now, attempts: 0 };
  }

  /** Queued with the appends of this tick; resolves after the flush that makes it durable. */
  private update(id: number, sets: string, args: unknown[], lazy = false): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'update', id, sets, args, lazy, resolve, reject }));
  }
}
