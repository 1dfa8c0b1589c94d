/**
 * A small in-memory Store for the HTTP tests (the real SQLite/Mongo stores have their own contract
 * suite). Follows the contract in src/store/store.ts: versions, tombstones, seq, ifMatch → 412.
 */
import { createHash } from 'node:crypto';
import type { Resource } from 'fhir/r4';
import { ConflictError } from '../../src/errors.js';
import type {
  AuditInput, AuditQuery, AuditRecord, AuditStore, HistoryQuery, Hl7Journal, KeyValueStore, PutResult,
  ResourceStore, ResourceVersion, Store, WriteOptions,
} from '../../src/store/store.js';

function contentHash(resource: Resource): string {
  const { meta: _meta, ...rest } = resource as Resource & { meta?: unknown };
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

export class MemoryResourceStore implements ResourceStore {
  readonly versions: ResourceVersion[] = [];
  private seq = 0;
  /** Test hook: a fixed clock so `_since` tests are deterministic. */
  now: () => string = () => new Date().toISOString();

  private key(type: string, id: string): string {
    return `${type}/${id}`;
  }

  private current(type: string, id: string): ResourceVersion | undefined {
    for (let i = this.versions.length - 1; i >= 0; i--) {
      const v = this.versions[i]!;
      if (v.resourceType === type && v.id === id) return v;
    }
    return undefined;
  }

  private write(resource: Resource & { id: string }, deleted: boolean, options: WriteOptions = {}): ResourceVersion {
    const cur = this.current(resource.resourceType, resource.id);
    if (options.ifMatch !== undefined && cur?.versionId !== options.ifMatch) {
      throw new ConflictError(`Version conflict on ${this.key(resource.resourceType, resource.id)}`, 412);
    }
    const versionId = (cur?.versionId ?? 0) + 1;
    const lastUpdated = this.now();
    const stored = structuredClone(resource) as Resource & { id: string };
    stored.meta = { ...(stored.meta ?? {}), versionId: String(versionId), lastUpdated };
    const version: ResourceVersion = {
      resourceType: resource.resourceType, id: resource.id, versionId, lastUpdated, seq: ++this.seq, deleted,
      contentHash: contentHash(resource), resource: stored,
    };
    this.versions.push(version);
    return structuredClone(version);
  }

  async put(resource: Resource & { id: string }, options?: WriteOptions): Promise<PutResult> {
    const cur = this.current(resource.resourceType, resource.id);
    const version = this.write(resource, false, options);
    return { version, outcome: !cur || cur.deleted ? 'created' : 'updated' };
  }

  async putIfChanged(resource: Resource & { id: string }, options?: WriteOptions): Promise<PutResult> {
    const cur = this.current(resource.resourceType, resource.id);
    if (cur && !cur.deleted && cur.contentHash === contentHash(resource)) return { version: structuredClone(cur), outcome: 'unchanged' };
    return this.put(resource, options);
  }

  async delete(resourceType: string, id: string, options?: WriteOptions): Promise<ResourceVersion | undefined> {
    const cur = this.current(resourceType, id);
    if (!cur || cur.deleted) return undefined;
    return this.write(cur.resource as Resource & { id: string }, true, options);
  }

  async read(resourceType: string, id: string): Promise<ResourceVersion | undefined> {
    const cur = this.current(resourceType, id);
    return cur && structuredClone(cur);
  }

  async vread(resourceType: string, id: string, versionId: number): Promise<ResourceVersion | undefined> {
    const v = this.versions.find((x) => x.resourceType === resourceType && x.id === id && x.versionId === versionId);
    return v && structuredClone(v);
  }

  private filter(query: HistoryQuery): ResourceVersion[] {
    return this.versions.filter((v) =>
      (query.resourceType === undefined || v.resourceType === query.resourceType) &&
      (query.id === undefined || v.id === query.id) &&
      (query.since === undefined || v.lastUpdated >= query.since) &&
      (query.afterSeq === undefined || v.seq > query.afterSeq));
  }

  async history(query: HistoryQuery): Promise<ResourceVersion[]> {
    const list = this.filter(query).sort((a, b) => (query.order === 'asc' ? a.seq - b.seq : b.seq - a.seq));
    return structuredClone(query.limit === undefined ? list : list.slice(0, query.limit));
  }

  async historyCount(query: Omit<HistoryQuery, 'limit' | 'order'>): Promise<number> {
    return this.filter(query).length;
  }

  async listCurrent(resourceType?: string): Promise<ResourceVersion[]> {
    const latest = new Map<string, ResourceVersion>();
    for (const v of this.versions) {
      if (resourceType === undefined || v.resourceType === resourceType) latest.set(this.key(v.resourceType, v.id), v);
    }
    return structuredClone([...latest.values()].filter((v) => !v.deleted));
  }

  async headSeq(): Promise<number> {
    return this.seq;
  }
}

export class MemoryAuditStore implements AuditStore {
  readonly records: AuditRecord[] = [];

  async append(input: AuditInput): Promise<AuditRecord> {
    const prevHash = this.records.at(-1)?.hash ?? '';
    const record: AuditRecord = {
      seq: this.records.length + 1, time: input.time ?? new Date().toISOString(), actor: input.actor, action: input.action,
      outcome: input.outcome, prevHash, hash: '',
      ...(input.entity !== undefined ? { entity: input.entity } : {}),
      ...(input.clientAddress !== undefined ? { clientAddress: input.clientAddress } : {}),
      ...(input.detail !== undefined ? { detail: input.detail } : {}),
    };
    record.hash = createHash('sha256').update(prevHash + JSON.stringify({ ...record, hash: undefined })).digest('hex');
    this.records.push(record);
    return { ...record };
  }

  async list(query: AuditQuery): Promise<AuditRecord[]> {
    const out = this.records.filter((r) =>
      (query.from === undefined || r.time >= query.from) &&
      (query.to === undefined || r.time <= query.to) &&
      (query.entity === undefined || r.entity === query.entity || r.entity?.startsWith(`${query.entity}/`) === true) &&
      (query.action === undefined || r.action === query.action));
    return query.limit === undefined ? out : out.slice(0, query.limit);
  }

  async verify() {
    return { ok: true, checked: this.records.length };
  }

  async prune(): Promise<number> {
    return 0;
  }
}

const unusedJournal = new Proxy({} as Hl7Journal, {
  get: () => () => Promise.reject(new Error('journal not available in the HTTP test store')),
});

class MemoryKv implements KeyValueStore {
  private readonly map = new Map<string, unknown>();
  async get<T>(key: string): Promise<T | undefined> {
    return this.map.get(key) as T | undefined;
  }
  async set<T>(key: string, value: T): Promise<void> {
    this.map.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
}

export function createMemoryStore(): Store & { resources: MemoryResourceStore; audit: MemoryAuditStore } {
  return {
    kind: 'memory',
    resources: new MemoryResourceStore(),
    audit: new MemoryAuditStore(),
    journal: unusedJournal,
    kv: new MemoryKv(),
    watch: () => () => undefined,
    ping: async () => undefined,
    close: async () => undefined,
  };
}
