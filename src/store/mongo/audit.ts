/**
 * Audit trail in MongoDB. Record `_id` is its seq; appending = reading the last record and
 * inserting `seq + 1` linked to its hash. The insert is the commit: two appenders racing for the
 * same seq collide on `_id` and the loser re-links, so the chain never forks, without transactions.
 * `store_meta` holds the chain header (algorithm), the prune anchor and the head (last append).
 */
import type { Db, Filter } from 'mongodb';
import { nextAuditRecord, type ChainState, preferredAuditAlgorithm, verifyChain } from '../audit-chain.js';
import { toInstant } from '../canonical.js';
import type { AuditInput, AuditQuery, AuditRecord, AuditStore, AuditVerifyResult } from '../store.js';
import { guard, isDuplicateKey } from './connection.js';

type AuditDoc = Omit<AuditRecord, 'seq'> & { _id: number };
interface MetaDoc {
  _id: string;
  value: unknown;
}
type Link = { seq: number; hash: string };
type Anchor = { seq: number; prevHash: string };

function toRecord(doc: AuditDoc): AuditRecord {
  const { _id, ...rest } = doc;
  const record: AuditRecord = { seq: _id, ...rest };
  for (const key of ['entity', 'clientAddress', 'detail'] as const) if (record[key] == null) delete record[key];
  return record;
}

export class MongoAuditStore implements AuditStore {
  private algorithm: string | undefined;

  constructor(
    private readonly db: Db,
    private readonly assertOpen: () => void,
  ) {}

  private get records() {
    return this.db.collection<AuditDoc>('audit_records');
  }

  private get meta() {
    return this.db.collection<MetaDoc>('store_meta');
  }

  async append(input: AuditInput): Promise<AuditRecord> {
    this.assertOpen();
    const time = toInstant(input.time ?? new Date());
    return guard('audit.append', async () => {
      const algorithm = await this.chainAlgorithm();
      for (;;) {
        const lastDoc = await this.records.find({}, { projection: { _id: 1, hash: 1 } }).sort({ _id: -1 }).limit(1).next();
        const head = lastDoc ? { seq: lastDoc._id, hash: lastDoc.hash } : await this.readMeta<Link>('audit.head');
        const full = nextAuditRecord(head, input, time, algorithm);
        const { seq, ...rest } = full;
        try {
          await this.records.insertOne({ _id: seq, ...rest });
        } catch (err) {
          if (isDuplicateKey(err)) continue;
          throw err;
        }
        await this.advanceHead({ seq, hash: full.hash });
        return full;
      }
    });
  }

  async list(query: AuditQuery): Promise<AuditRecord[]> {
    this.assertOpen();
    const filter: Filter<AuditDoc> = {};
    if (query.from !== undefined || query.to !== undefined) {
      filter.time = { ...(query.from !== undefined && { $gte: toInstant(query.from) }), ...(query.to !== undefined && { $lte: toInstant(query.to) }) };
    }
    if (query.entity !== undefined) filter.entity = query.entity;
    if (query.action !== undefined) filter.action = query.action;
    return guard('audit.list', async () => {
      let cursor = this.records.find(filter).sort({ _id: query.order === 'asc' ? 1 : -1 });
      if (query.limit !== undefined && Number.isFinite(query.limit)) {
        if (query.limit <= 0) return [];
        cursor = cursor.limit(Math.floor(query.limit));
      }
      return (await cursor.toArray()).map(toRecord);
    });
  }

  async verify(): Promise<AuditVerifyResult> {
    this.assertOpen();
    return guard('audit.verify', async () => {
      // Head first: records appended while we read lie beyond it and are checked as chain links only.
      const head = await this.readMeta<Link>('audit.head');
      const anchor = await this.readMeta<Anchor>('audit.anchor');
      const algorithm = await this.readMeta<string>('audit.algorithm');
      const state: ChainState = { ...(algorithm && { algorithm }), ...(anchor && { anchor }), ...(head && { head }) };
      const cursor = this.records.find(anchor ? { _id: { $gte: anchor.seq } } : {}).sort({ _id: 1 });
      async function* records(): AsyncGenerator<AuditRecord> {
        for await (const doc of cursor) yield toRecord(doc);
      }
      return verifyChain(records(), state);
    });
  }

  async prune(before: string): Promise<number> {
    this.assertOpen();
    const cutoff = toInstant(before);
    return guard('audit.prune', async () => {
      // Only a prefix of the chain can go. The anchor is written before the delete, and verify
      // starts at the anchor, so a crash in between leaves a verifiable chain.
      const firstKept = await this.records.find({ time: { $gte: cutoff } }, { projection: { _id: 1, prevHash: 1 } }).sort({ _id: 1 }).limit(1).next();
      const head = await this.readMeta<Link>('audit.head');
      const anchor: Anchor | undefined = firstKept ? { seq: firstKept._id, prevHash: firstKept.prevHash } : head ? { seq: head.seq + 1, prevHash: head.hash } : undefined;
      if (!anchor) return 0;
      const previous = await this.readMeta<Anchor>('audit.anchor');
      if (previous && previous.seq >= anchor.seq) return 0;
      if ((await this.records.countDocuments({ _id: { $lt: anchor.seq } })) === 0) return 0;
      await this.meta.updateOne({ _id: 'audit.anchor' }, { $set: { value: anchor } }, { upsert: true });
      return (await this.records.deleteMany({ _id: { $lt: anchor.seq } })).deletedCount;
    });
  }

  private async chainAlgorithm(): Promise<string> {
    if (this.algorithm) return this.algorithm;
    // First writer fixes the chain's algorithm; everyone else reads it.
    await this.meta.updateOne({ _id: 'audit.algorithm' }, { $setOnInsert: { value: preferredAuditAlgorithm() } }, { upsert: true }).catch((err) => {
      if (!isDuplicateKey(err)) throw err;
    });
    this.algorithm = (await this.readMeta<string>('audit.algorithm')) ?? preferredAuditAlgorithm();
    return this.algorithm;
  }

  /** Moves the recorded head forward (never back: a slower appender may finish later). */
  private async advanceHead(link: Link): Promise<void> {
    const moved = await this.meta.updateOne({ _id: 'audit.head', 'value.seq': { $lt: link.seq } }, { $set: { value: link } });
    if (moved.matchedCount > 0) return;
    try {
      await this.meta.insertOne({ _id: 'audit.head', value: link });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  private async readMeta<T>(key: string): Promise<T | undefined> {
    const doc = await this.meta.findOne({ _id: key });
    return doc ? (doc.value as T) : undefined;
  }
}
