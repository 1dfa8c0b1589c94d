/**
 * HL7 store-and-forward journal in SQLite. `append` is the ACK gate: it resolves only after the
 * rows are committed with synchronous=FULL (fsync of the WAL). Appends that arrive in the same
 * event-loop turn share one transaction, i.e. one fsync (group commit), which is what keeps a
 * burst of MLLP connections from paying one disk flush per message.
 */
import { NotFoundError } from '../../errors.js';
import type { Hl7Journal, JournalAppend, JournalEntry, JournalQuery, JournalState } from '../store.js';
import { JOURNAL_STATES, validateJournalAppend } from '../journal-rules.js';
import { toInstant } from '../canonical.js';
import { type Db, limitClause, writeTransaction } from './db.js';
import { mapSqliteError } from './errors.js';

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

interface PendingAppend {
  messages: JournalAppend[];
  resolve: (entries: JournalEntry[]) => void;
  reject: (err: unknown) => void;
}

export class SqliteJournal implements Hl7Journal {
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private readonly insertRow;
  private readonly selectRow;

  constructor(private readonly db: Db) {
    this.insertRow = db.prepare(
      `INSERT INTO hl7_journal (route, sender, control_id, message_type, inbound, outbound, state, note, received_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectRow = db.prepare('SELECT * FROM hl7_journal WHERE id = ?');
  }

  append(messages: JournalAppend[]): Promise<JournalEntry[]> {
    try {
      messages.forEach(validateJournalAppend);
    } catch (err) {
      return Promise.reject(err);
    }
    if (messages.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued in one transaction; also called by close() so nothing queued is lost. */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      const results = mapSqliteError(() => writeTransaction(this.db, () => batch.map((p) => p.messages.map((m) => this.insertOne(m)))));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // One failing caller must not fail the others of the group: retry each on its own.
      for (const p of batch) {
        try {
          p.resolve(mapSqliteError(() => writeTransaction(this.db, () => p.messages.map((m) => this.insertOne(m)))));
        } catch (own) {
          p.reject(own);
        }
      }
    }
  }

  async findDuplicate(sender: string, controlId: string, since: string): Promise<number | undefined> {
    return mapSqliteError(() => {
      const row = this.db
        .prepare('SELECT id FROM hl7_journal WHERE sender = ? AND control_id = ? AND received_at >= ? ORDER BY id LIMIT 1')
        .get(sender, controlId, toInstant(since)) as { id: number } | undefined;
      return row?.id;
    });
  }

  async pending(route: string, limit: number): Promise<JournalEntry[]> {
    return mapSqliteError(() =>
      (this.db.prepare("SELECT * FROM hl7_journal WHERE route = ? AND state = 'queued' ORDER BY id LIMIT ?").all(route, limit) as JournalRow[]).map(toEntry),
    );
  }

  async markDelivered(id: number): Promise<void> {
    this.update(id, "state = 'delivered', attempts = attempts + 1, last_error = NULL", []);
  }

  async markFailed(id: number, error: string, options: { dead?: boolean } = {}): Promise<void> {
    const state = options.dead ? "state = 'dead', " : '';
    this.update(id, `${state}attempts = attempts + 1, last_error = ?`, [error]);
  }

  async setState(id: number, state: JournalState, options: { outbound?: Buffer; note?: string } = {}): Promise<void> {
    if (!JOURNAL_STATES.has(state)) throw new RangeError(`unknown journal state ${state}`);
    const sets = ['state = ?'];
    const args: unknown[] = [state];
    if (options.outbound !== undefined) (sets.push('outbound = ?'), args.push(options.outbound));
    if (options.note !== undefined) (sets.push('note = ?'), args.push(options.note));
    this.update(id, sets.join(', '), args);
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
    return mapSqliteError(() => (this.db.prepare(`SELECT * FROM hl7_journal ${where} ORDER BY id ${limit}`).all(...args) as JournalRow[]).map(toEntry));
  }

  async counts(): Promise<Array<{ route: string; state: JournalState; count: number }>> {
    return mapSqliteError(
      () => this.db.prepare('SELECT route, state, COUNT(*) AS count FROM hl7_journal GROUP BY route, state ORDER BY route, state').all() as Array<{ route: string; state: JournalState; count: number }>,
    );
  }

  private insertOne(m: JournalAppend): JournalEntry {
    const now = new Date().toISOString();
    const info = this.insertRow.run(m.route, m.sender, m.controlId, m.messageType, m.inbound, m.outbound ?? null, m.state, m.note ?? null, now, now);
    return { ...m, id: Number(info.lastInsertRowid), receivedAt: now, updatedAt: now, attempts: 0 };
  }

  private update(id: number, sets: string, args: unknown[]): void {
    const changes = mapSqliteError(
      () => this.db.prepare(`UPDATE hl7_journal SET ${sets}, updated_at = ? WHERE id = ?`).run(...args, new Date().toISOString(), id).changes,
    );
    if (changes === 0) throw new NotFoundError(`HL7 journal entry ${id} does not exist`);
  }
}
