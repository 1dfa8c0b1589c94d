/**
 * HL7 journal in MongoDB. Writes use w:'majority', j:true (set on the client), so `append`
 * resolves only once the messages are on disk on a majority. Appends that arrive in the same
 * event-loop turn become one insertMany (group commit); on a replica set it runs in a transaction,
 * so a batch is all-or-nothing. Without transactions an ordered insertMany may leave a prefix of a
 * failed batch stored: the caller did not ACK, the sender resends, and duplicate detection
 * (`findDuplicate`) recognises the copies.
 *
 * Ids are the highest stored id + 1 upwards, guarded by the unique `_id`: another process that
 * took the same ids makes our insert fail with a duplicate key, and the rest is retried above the
 * new maximum. Flushes of this process run one after another.
 */
import type { ClientSession, Db, Filter, MongoClient } from 'mongodb';
import { NotFoundError } from '../../errors.js';
import { toInstant } from '../canonical.js';
import { JOURNAL_STATES, validateJournalAppend } from '../journal-rules.js';
import type { Hl7Journal, JournalAppend, JournalEntry, JournalQuery, JournalState } from '../store.js';
import { guard, isDuplicateKey } from './connection.js';

interface JournalDoc {
  _id: number;
  route: string;
  sender: string;
  controlId: string;
  messageType: string;
  inbound: Buffer;
  outbound?: Buffer;
  state: JournalState;
  note?: string;
  receivedAt: string;
  updatedAt: string;
  attempts: number;
  lastError?: string;
}

function toEntry(doc: JournalDoc): JournalEntry {
  const { _id, ...rest } = doc;
  const entry: JournalEntry = { id: _id, ...rest, inbound: Buffer.from(rest.inbound) };
  if (rest.outbound != null) entry.outbound = Buffer.from(rest.outbound);
  else delete entry.outbound;
  if (rest.note == null) delete entry.note;
  if (rest.lastError == null) delete entry.lastError;
  return entry;
}

function toDoc(m: JournalAppend, id: number, now: string): JournalDoc {
  const doc: JournalDoc = { _id: id, route: m.route, sender: m.sender, controlId: m.controlId, messageType: m.messageType, inbound: m.inbound, state: m.state, receivedAt: now, updatedAt: now, attempts: 0 };
  if (m.outbound !== undefined) doc.outbound = m.outbound;
  if (m.note !== undefined) doc.note = m.note;
  return doc;
}

interface PendingAppend {
  messages: JournalAppend[];
  resolve: (entries: JournalEntry[]) => void;
  reject: (err: unknown) => void;
}

export class MongoJournal implements Hl7Journal {
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private inFlight = new Set<Promise<void>>();
  /** The previous flush: flushes run one after another so this process never races itself for ids. */
  private lastFlush: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly transactions: boolean,
    private readonly assertOpen: () => void,
  ) {}

  private get journal() {
    return this.db.collection<JournalDoc>('hl7_journal');
  }

  append(messages: JournalAppend[]): Promise<JournalEntry[]> {
    try {
      this.assertOpen();
      messages.forEach(validateJournalAppend);
    } catch (err) {
      return Promise.reject(err);
    }
    if (messages.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.track(this.chainFlush()));
      }
    });
  }

  /** Resolves when every queued or running append has finished (used by close()). */
  async drain(): Promise<void> {
    if (this.queue.length > 0) this.track(this.chainFlush());
    await Promise.allSettled([...this.inFlight]);
  }

  async findDuplicate(sender: string, controlId: string, since: string): Promise<number | undefined> {
    this.assertOpen();
    const doc = await guard('journal.findDuplicate', () =>
      this.journal.find({ sender, controlId, receivedAt: { $gte: toInstant(since) } }, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(1).next(),
    );
    return doc?._id;
  }

  async recentKeys(since: string): Promise<Array<{ id: number; sender: string; controlId: string; receivedAt: string }>> {
    this.assertOpen();
    const docs = await guard('journal.recentKeys', () =>
      this.journal.find({ receivedAt: { $gte: toInstant(since) } }, { projection: { _id: 1, sender: 1, controlId: 1, receivedAt: 1 } }).sort({ receivedAt: 1, _id: 1 }).toArray(),
    );
    return docs.map((d) => ({ id: d._id, sender: d.sender, controlId: d.controlId, receivedAt: d.receivedAt }));
  }

  async pending(route: string, limit: number): Promise<JournalEntry[]> {
    this.assertOpen();
    return guard('journal.pending', async () => (await this.journal.find({ route, state: 'queued' }).sort({ _id: 1 }).limit(limit).toArray()).map(toEntry));
  }

  async markDelivered(id: number): Promise<void> {
    await this.update(id, { $set: { state: 'delivered' }, $inc: { attempts: 1 }, $unset: { lastError: '' } });
  }

  async markFailed(id: number, error: string, options: { dead?: boolean } = {}): Promise<void> {
    await this.update(id, { $set: { lastError: error, ...(options.dead && { state: 'dead' as const }) }, $inc: { attempts: 1 } });
  }

  async setState(id: number, state: JournalState, options: { outbound?: Buffer; note?: string } = {}): Promise<void> {
    if (!JOURNAL_STATES.has(state)) throw new RangeError(`unknown journal state ${state}`);
    const set: Partial<JournalDoc> = { state };
    if (options.outbound !== undefined) set.outbound = options.outbound;
    if (options.note !== undefined) set.note = options.note;
    await this.update(id, { $set: set });
  }

  async get(id: number): Promise<JournalEntry | undefined> {
    this.assertOpen();
    const doc = await guard('journal.get', () => this.journal.findOne({ _id: id }));
    return doc ? toEntry(doc) : undefined;
  }

  async list(query: JournalQuery): Promise<JournalEntry[]> {
    this.assertOpen();
    const filter: Filter<JournalDoc> = {};
    if (query.route !== undefined) filter.route = query.route;
    if (query.state !== undefined) filter.state = query.state;
    if (query.from !== undefined || query.to !== undefined) {
      filter.receivedAt = { ...(query.from !== undefined && { $gte: toInstant(query.from) }), ...(query.to !== undefined && { $lte: toInstant(query.to) }) };
    }
    if (query.afterId !== undefined) filter._id = { $gt: query.afterId };
    return guard('journal.list', async () => {
      let cursor = this.journal.find(filter).sort({ _id: 1 });
      if (query.limit !== undefined && Number.isFinite(query.limit)) {
        if (query.limit <= 0) return [];
        cursor = cursor.limit(Math.floor(query.limit));
      }
      return (await cursor.toArray()).map(toEntry);
    });
  }

  async counts(): Promise<Array<{ route: string; state: JournalState; count: number }>> {
    this.assertOpen();
    return guard('journal.counts', async () => {
      const rows = await this.journal
        .aggregate<{ _id: { route: string; state: JournalState }; count: number }>([{ $group: { _id: { route: '$route', state: '$state' }, count: { $sum: 1 } } }])
        .toArray();
      return rows.map((r) => ({ route: r._id.route, state: r._id.state, count: r.count })).sort((a, b) => `${a.route}\0${a.state}`.localeCompare(`${b.route}\0${b.state}`));
    });
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private chainFlush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    this.lastFlush = this.lastFlush.then(() => this.flush(batch));
    return this.lastFlush;
  }

  private async flush(batch: PendingAppend[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      const entries = await this.insert(batch.flatMap((p) => p.messages));
      let offset = 0;
      for (const p of batch) {
        p.resolve(entries.slice(offset, offset + p.messages.length));
        offset += p.messages.length;
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  private async insert(messages: JournalAppend[]): Promise<JournalEntry[]> {
    return guard('journal.append', async () => {
      const now = new Date().toISOString();
      const stored: JournalDoc[] = [];
      let rest = messages;
      while (rest.length > 0) {
        const top = await this.journal.find({}, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).next();
        const docs = rest.map((m, i) => toDoc(m, (top?._id ?? 0) + 1 + i, now));
        const inserted = await this.insertDocs(docs);
        stored.push(...docs.slice(0, inserted));
        rest = rest.slice(inserted);
      }
      return stored.map(toEntry);
    });
  }

  /** How many of `docs` (a prefix) were stored; 0..n-1 when another writer took an id. */
  private async insertDocs(docs: JournalDoc[]): Promise<number> {
    try {
      if (this.transactions) {
        await this.client.withSession((session) => session.withTransaction(() => this.journal.insertMany(docs, { ordered: true, session })));
      } else {
        await this.journal.insertMany(docs, { ordered: true });
      }
      return docs.length;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      if (this.transactions) return 0;
      const inserted = (err as { insertedCount?: unknown }).insertedCount;
      if (typeof inserted === 'number') return inserted;
      throw err;
    }
  }

  private async update(id: number, update: object): Promise<void> {
    this.assertOpen();
    const withTime = { ...update, $set: { ...((update as { $set?: object }).$set ?? {}), updatedAt: new Date().toISOString() } };
    const result = await guard('journal.update', () => this.journal.updateOne({ _id: id }, withTime));
    if (result.matchedCount === 0) throw new NotFoundError(`HL7 journal entry ${id} does not exist`);
  }
}
