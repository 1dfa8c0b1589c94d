/**
 * FHIR resources with versions in MongoDB. Each version is one document in `resource_versions`
 * and inserting it is the commit: a single-document insert is atomic on every MongoDB (and
 * FerretDB), so no transaction is needed and a crash never leaves half a write. The unique index
 * on (resourceType, id, versionId) serialises writers of one resource: the loser of a race gets a
 * duplicate-key error and re-reads (or fails with 412 under If-Match), so no update is lost.
 *
 * `seq` is the highest stored seq + 1, guarded by a unique index: a writer that loses the race
 * for a seq re-reads and tries the next. So seqs are gap-free and become visible in order, and seq
 * order matches version order. (Not a counter document with $inc: FerretDB 1.24's findAndModify
 * is not atomic under concurrent callers and handed out stale values.)
 */
import type { Resource } from 'fhir/r4';
import type { Db, Filter } from 'mongodb';
import { ConflictError } from '../../errors.js';
import { contentHash, toInstant } from '../canonical.js';
import type { HistoryQuery, PutResult, ResourceStore, ResourceVersion, WriteOptions } from '../store.js';
import { newVersionBody, requireIdentity } from '../versioning.js';
import { guard, isDuplicateKey } from './connection.js';

interface VersionDoc {
  _id: string;
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  seq: number;
  deleted: boolean;
  contentHash: string;
  /** The resource as JSON text: keeps FHIR JSON exactly (decimals, key names) and off BSON rules. */
  body: string;
}

const MAX_WRITE_ATTEMPTS = 50;

function toVersion(doc: VersionDoc): ResourceVersion {
  return {
    resourceType: doc.resourceType,
    id: doc.id,
    versionId: doc.versionId,
    lastUpdated: doc.lastUpdated,
    seq: doc.seq,
    deleted: doc.deleted,
    contentHash: doc.contentHash,
    resource: JSON.parse(doc.body) as Resource,
  };
}

function historyFilter(query: Omit<HistoryQuery, 'limit' | 'order'>): Filter<VersionDoc> {
  const filter: Filter<VersionDoc> = {};
  if (query.resourceType !== undefined) filter.resourceType = query.resourceType;
  if (query.id !== undefined) filter.id = query.id;
  if (query.since !== undefined) filter.lastUpdated = { $gte: toInstant(query.since) };
  if (query.afterSeq !== undefined) filter.seq = { $gt: query.afterSeq };
  return filter;
}

export class MongoResourceStore implements ResourceStore {
  constructor(
    private readonly db: Db,
    private readonly assertOpen: () => void,
  ) {}

  private get versions() {
    return this.db.collection<VersionDoc>('resource_versions');
  }

  async put(resource: Resource & { id: string }, options: WriteOptions = {}): Promise<PutResult> {
    return this.write(resource, options, false);
  }

  async putIfChanged(resource: Resource & { id: string }, options: WriteOptions = {}): Promise<PutResult> {
    return this.write(resource, options, true);
  }

  async delete(resourceType: string, id: string, options: WriteOptions = {}): Promise<ResourceVersion | undefined> {
    this.assertOpen();
    return guard('delete', async () => {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const current = await this.current(resourceType, id);
        checkIfMatch(resourceType, id, current, options.ifMatch);
        if (!current || current.deleted) return undefined;
        const last = toVersion(current);
        const inserted = await this.tryInsert(last.resource as Resource & { id: string }, current.versionId + 1, current.contentHash, true);
        if (inserted) return inserted;
        if (options.ifMatch !== undefined) throw lostRace(resourceType, id, options.ifMatch);
      }
      throw tooMuchContention(resourceType, id);
    });
  }

  async read(resourceType: string, id: string): Promise<ResourceVersion | undefined> {
    this.assertOpen();
    const doc = await guard('read', () => this.current(resourceType, id));
    return doc ? toVersion(doc) : undefined;
  }

  async vread(resourceType: string, id: string, versionId: number): Promise<ResourceVersion | undefined> {
    this.assertOpen();
    const doc = await guard('vread', () => this.versions.findOne({ resourceType, id, versionId }));
    return doc ? toVersion(doc) : undefined;
  }

  async history(query: HistoryQuery): Promise<ResourceVersion[]> {
    this.assertOpen();
    return guard('history', async () => {
      let cursor = this.versions.find(historyFilter(query)).sort({ seq: query.order === 'asc' ? 1 : -1 });
      if (query.limit !== undefined && Number.isFinite(query.limit)) {
        if (query.limit <= 0) return [];
        cursor = cursor.limit(Math.floor(query.limit));
      }
      return (await cursor.toArray()).map(toVersion);
    });
  }

  async historyCount(query: Omit<HistoryQuery, 'limit' | 'order'>): Promise<number> {
    this.assertOpen();
    return guard('historyCount', () => this.versions.countDocuments(historyFilter(query)));
  }

  async listCurrent(resourceType?: string): Promise<ResourceVersion[]> {
    this.assertOpen();
    return guard('listCurrent', async () => {
      // Pick the newest version of each resource from a projection, then load only those bodies.
      const filter: Filter<VersionDoc> = resourceType === undefined ? {} : { resourceType };
      const newest = new Map<string, { _id: string; versionId: number; deleted: boolean }>();
      const heads = this.versions.find(filter, { projection: { _id: 1, resourceType: 1, id: 1, versionId: 1, deleted: 1 } });
      for await (const doc of heads) {
        const key = `${doc.resourceType}/${doc.id}`;
        const seen = newest.get(key);
        if (!seen || doc.versionId > seen.versionId) newest.set(key, { _id: doc._id, versionId: doc.versionId, deleted: doc.deleted });
      }
      const ids = [...newest.values()].filter((v) => !v.deleted).map((v) => v._id);
      const out: ResourceVersion[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const docs = await this.versions.find({ _id: { $in: ids.slice(i, i + 500) } }).toArray();
        out.push(...docs.map(toVersion));
      }
      return out.sort((a, b) => (a.resourceType === b.resourceType ? (a.id < b.id ? -1 : 1) : a.resourceType < b.resourceType ? -1 : 1));
    });
  }

  async headSeq(): Promise<number> {
    this.assertOpen();
    return guard('headSeq', async () => {
      const doc = await this.versions.find({}, { projection: { seq: 1 } }).sort({ seq: -1 }).limit(1).next();
      return doc?.seq ?? 0;
    });
  }

  private async write(resource: Resource & { id: string }, options: WriteOptions, onlyIfChanged: boolean): Promise<PutResult> {
    this.assertOpen();
    requireIdentity(resource);
    const hash = contentHash(resource);
    return guard('put', async () => {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const current = await this.current(resource.resourceType, resource.id);
        checkIfMatch(resource.resourceType, resource.id, current, options.ifMatch);
        if (onlyIfChanged && current && !current.deleted && current.contentHash === hash) return { version: toVersion(current), outcome: 'unchanged' };
        const version = await this.tryInsert(resource, (current?.versionId ?? 0) + 1, hash, false);
        if (version) return { version, outcome: !current || current.deleted ? 'created' : 'updated' };
        if (options.ifMatch !== undefined) throw lostRace(resource.resourceType, resource.id, options.ifMatch);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
      }
      throw tooMuchContention(resource.resourceType, resource.id);
    });
  }

  private current(resourceType: string, id: string): Promise<VersionDoc | null> {
    return this.versions.find({ resourceType, id }).sort({ versionId: -1 }).limit(1).next();
  }

  /** Inserts the version document; undefined when another writer took this versionId first. */
  private async tryInsert(resource: Resource & { id: string }, versionId: number, hash: string, deleted: boolean): Promise<ResourceVersion | undefined> {
    const body = newVersionBody(resource, versionId);
    for (;;) {
      const seq = (await this.headSeq()) + 1;
      const doc: VersionDoc = {
        _id: `${resource.resourceType}/${resource.id}/${versionId}`,
        resourceType: resource.resourceType,
        id: resource.id,
        versionId,
        lastUpdated: body.meta.lastUpdated,
        seq,
        deleted,
        contentHash: hash,
        body: JSON.stringify(body),
      };
      try {
        await this.versions.insertOne(doc);
        return { ...toVersion({ ...doc, body: '{}' }), resource: body };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      // Which unique key collided: this resource's version (a concurrent writer won) or only the seq?
      const winner = await this.versions.findOne({ resourceType: resource.resourceType, id: resource.id, versionId }, { projection: { _id: 1 } });
      if (winner) return undefined;
    }
  }
}

function checkIfMatch(resourceType: string, id: string, current: VersionDoc | null, ifMatch: number | undefined): void {
  if (ifMatch === undefined) return;
  if (!current || current.versionId !== ifMatch) {
    const actual = current ? `version ${current.versionId}` : 'no version';
    throw new ConflictError(`${resourceType}/${id}: If-Match expected version ${ifMatch} but the current is ${actual}`, 412);
  }
}

function lostRace(resourceType: string, id: string, ifMatch: number): ConflictError {
  return new ConflictError(`${resourceType}/${id}: version ${ifMatch} was updated concurrently`, 412);
}

function tooMuchContention(resourceType: string, id: string): ConflictError {
  return new ConflictError(`${resourceType}/${id}: too many concurrent writers, retry`, 409);
}
