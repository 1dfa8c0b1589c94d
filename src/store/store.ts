/**
 * The store contract. The terminology engine, the FHIR REST layer, the HL7 gateway, sync and the
 * audit trail see only these interfaces; nothing database-specific leaks past `src/store/`.
 *
 * Implementations: `sqlite/` (embedded default, better-sqlite3 in DATA_DIR) and `mongo/`
 * (official driver, MONGODB_URI). One contract suite (`test/store/contract.ts`) runs against both.
 *
 * All methods are async so that both implementations fit; the SQLite one resolves synchronously
 * under the hood.
 */
import type { Resource } from 'fhir/r4';

/* ------------------------------------------------------------------------------------------ */
/* FHIR resources with versions and history                                                     */
/* ------------------------------------------------------------------------------------------ */

/** One version of one resource, as stored. `resource.meta.versionId/lastUpdated` are set. */
export interface ResourceVersion {
  resourceType: string;
  id: string;
  /** 1, 2, 3 … per resource. */
  versionId: number;
  /** ISO 8601 instant with milliseconds, UTC. */
  lastUpdated: string;
  /** A global, strictly increasing change sequence across all resources (sync and `_history` order). */
  seq: number;
  /** True for the tombstone version written by a delete (`resource` then holds the last content). */
  deleted: boolean;
  /** SHA-256 of the canonical JSON of the content without `meta`: idempotent loads compare it. */
  contentHash: string;
  resource: Resource;
}

export interface WriteOptions {
  /** Optimistic locking: the write fails with ConflictError(412) unless the current versionId equals this. */
  ifMatch?: number;
  /** Who writes it, for `meta.source` / audit (not interpreted by the store). */
  actor?: string;
}

export interface PutResult {
  version: ResourceVersion;
  /** 'created' for the first version (or after a delete), 'updated' otherwise, 'unchanged' when `putIfChanged` skipped it. */
  outcome: 'created' | 'updated' | 'unchanged';
}

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  /** Only versions with lastUpdated >= since (FHIR `_since`). */
  since?: string;
  /** Only versions with seq > afterSeq (sync cursor, stable paging). */
  afterSeq?: number;
  /** Max versions returned. */
  limit?: number;
  /** Newest first (FHIR `_history` default) or oldest first (sync). Default 'desc'. */
  order?: 'asc' | 'desc';
}

export interface ResourceStore {
  /**
   * Writes a new version of `resourceType/id` (create or update). The store assigns versionId,
   * lastUpdated and seq, and sets them in the returned resource's `meta`.
   * Throws ConflictError(412) when `ifMatch` does not match the current version.
   */
  put(resource: Resource & { id: string }, options?: WriteOptions): Promise<PutResult>;

  /**
   * Like `put`, but when the current (non-deleted) version has the same contentHash nothing is
   * written and outcome is 'unchanged'. Used to load `codesystems/` etc. at start idempotently.
   */
  putIfChanged(resource: Resource & { id: string }, options?: WriteOptions): Promise<PutResult>;

  /** Writes a tombstone version. Returns undefined when the resource does not exist (or is already deleted). */
  delete(resourceType: string, id: string, options?: WriteOptions): Promise<ResourceVersion | undefined>;

  /** The current version, including a tombstone (check `deleted`); undefined when never written. */
  read(resourceType: string, id: string): Promise<ResourceVersion | undefined>;

  /** A specific version; undefined when it does not exist. */
  vread(resourceType: string, id: string, versionId: number): Promise<ResourceVersion | undefined>;

  /** Version history, filtered and ordered as asked. */
  history(query: HistoryQuery): Promise<ResourceVersion[]>;

  /** Count of versions matching the query (for Bundle.total), ignoring limit. */
  historyCount(query: Omit<HistoryQuery, 'limit' | 'order'>): Promise<number>;

  /** Every current, non-deleted version (optionally of one type). Used to build in-memory indexes. */
  listCurrent(resourceType?: string): Promise<ResourceVersion[]>;

  /** The highest seq written so far (0 when empty). Other processes poll or watch for changes above it. */
  headSeq(): Promise<number>;

  /**
   * Optional: a cheap, synchronous marker of the committed resource content. It differs after every
   * put/delete committed by any connection or process (this one included), and a write is visible
   * to every read started after a marker that reflects it; so "marker, then read" followed later by
   * the same marker proves no write committed in between. Callers use it to keep rendered reads
   * (src/fhir/lean/read-freshness.ts). Left out where the database offers no such signal (MongoDB:
   * a version and its current pointer are two writes, and its seq is taken before either commits),
   * and then callers must not cache store reads. Throws as reads do when the database is unavailable.
   */
  contentMarker?(): number;
}

/* ------------------------------------------------------------------------------------------ */
/* Audit trail (seed 003 §10.5: who, when, what, outcome; tamper-evident; retained ≥ 180 days)   */
/* ------------------------------------------------------------------------------------------ */

export interface AuditInput {
  /** ISO instant; the store sets it when absent. */
  time?: string;
  /** Token identity or 'anonymous'. */
  actor: string;
  /** e.g. 'create', 'update', 'delete', 'hl7.replay', 'hl7.release', 'import', 'sync', 'denied'. */
  action: string;
  /** e.g. 'CodeSystem/abc/_history/3', 'hl7:route-a', or a URL. */
  entity?: string;
  outcome: 'success' | 'failure' | 'denied';
  clientAddress?: string;
  detail?: string;
}

export interface AuditRecord extends Required<Pick<AuditInput, 'actor' | 'action' | 'outcome'>> {
  seq: number;
  time: string;
  entity?: string;
  clientAddress?: string;
  detail?: string;
  /** Hash of the previous record ('' for the first). */
  prevHash: string;
  /** SHA-256 (hex) over prevHash and this record's canonical fields (SM3 where `algorithm` says so). */
  hash: string;
  /** Hash algorithm of this record's chain: 'sm3' when Node's crypto offers it, else 'sha256'. */
  algorithm?: string;
}

export interface AuditQuery {
  from?: string;
  to?: string;
  entity?: string;
  action?: string;
  limit?: number;
  /** Newest first (default) or oldest first. */
  order?: 'asc' | 'desc';
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  /** seq of the first record whose hash or link does not verify. */
  firstBroken?: number;
  reason?: string;
}

export interface AuditStore {
  append(input: AuditInput): Promise<AuditRecord>;
  list(query: AuditQuery): Promise<AuditRecord[]>;
  verify(): Promise<AuditVerifyResult>;
  /**
   * Removes records older than `before`, keeping the chain verifiable from the first kept
   * record (its prevHash is remembered as the chain anchor). Returns how many were removed.
   */
  prune(before: string): Promise<number>;
}

/* ------------------------------------------------------------------------------------------ */
/* HL7 journal: store-and-forward of inbound messages                                           */
/* ------------------------------------------------------------------------------------------ */

export type JournalState = 'queued' | 'held' | 'delivered' | 'dead' | 'duplicate';

export interface JournalAppend {
  /** Route (interface) name the message belongs to. */
  route: string;
  /** Sender identity used for duplicate detection (e.g. MSH-3^MSH-4). */
  sender: string;
  /** MSH-10. */
  controlId: string;
  /** MSH-9 as received, e.g. 'ORM^O01'. */
  messageType: string;
  /** Bytes exactly as received (inside the MLLP frame). */
  inbound: Buffer;
  /** Bytes to forward (after rewrite, in the downstream charset); absent when held before rewrite. */
  outbound?: Buffer;
  state: JournalState;
  /** Why it was held / dead-lettered, or rewrite notes. */
  note?: string;
}

export interface JournalEntry extends JournalAppend {
  /** Global, increasing; delivery order within a route follows it. */
  id: number;
  receivedAt: string;
  updatedAt: string;
  attempts: number;
  lastError?: string;
}

export interface JournalQuery {
  route?: string;
  state?: JournalState;
  from?: string;
  to?: string;
  afterId?: number;
  limit?: number;
}

export interface Hl7Journal {
  /**
   * Appends messages durably (fsync'd / majority-acknowledged) before resolving; callers ACK only
   * after this resolves. A batch is one durable commit (group commit).
   */
  append(messages: JournalAppend[]): Promise<JournalEntry[]>;
  /** The id of a message with the same sender and controlId received at or after `since`, if any. */
  findDuplicate(sender: string, controlId: string, since: string): Promise<number | undefined>;
  /**
   * Sender, controlId and receivedAt of every message received at or after `since`, oldest first
   * (no bodies). Optional: the gateway loads its in-memory duplicate window with it at start and
   * falls back to `findDuplicate` per message without it.
   */
  recentKeys?(since: string): Promise<Array<{ id: number; sender: string; controlId: string; receivedAt: string }>>;
  /** Oldest queued messages of a route, in id order. */
  pending(route: string, limit: number): Promise<JournalEntry[]>;
  /** Counts the successful attempt in `attempts` and clears `lastError`. */
  markDelivered(id: number): Promise<void>;
  /** Records a failed attempt; `dead` moves it to the dead letters with the reason kept. */
  markFailed(id: number, error: string, options?: { dead?: boolean }): Promise<void>;
  /** Changes state (hold → queued for release, dead/delivered → queued for replay), optionally replacing the outbound bytes. */
  setState(id: number, state: JournalState, options?: { outbound?: Buffer; note?: string }): Promise<void>;
  get(id: number): Promise<JournalEntry | undefined>;
  list(query: JournalQuery): Promise<JournalEntry[]>;
  /** Message counts per route and state. */
  counts(): Promise<Array<{ route: string; state: JournalState; count: number }>>;
}

/* ------------------------------------------------------------------------------------------ */
/* Small key/value state (sync cursors, schedules)                                              */
/* ------------------------------------------------------------------------------------------ */

export interface KeyValueStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set<T = unknown>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
}

/* ------------------------------------------------------------------------------------------ */

export interface Store {
  /** 'sqlite' or 'mongodb': for logs and /metadata only, never for branching. */
  readonly kind: string;
  readonly resources: ResourceStore;
  readonly audit: AuditStore;
  readonly journal: Hl7Journal;
  readonly kv: KeyValueStore;
  /**
   * Subscribes to writes made by other processes sharing the database (change streams or polling).
   * The callback receives versions with seq above the last one seen. Returns an unsubscribe function.
   * It may also report this process's own writes (consumers re-index idempotently). Starts from
   * `options.afterSeq` when given (take `headSeq()` before `listCurrent()` at start so no write
   * falls between the two), else from the head at subscription time. `onError` hears failed
   * polls (database unreachable); the watch keeps polling.
   */
  watch(onChange: (versions: ResourceVersion[]) => void, options?: WatchOptions): () => void;
  /** Cheap liveness check; rejects when the database is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface WatchOptions {
  afterSeq?: number;
  onError?: (err: unknown) => void;
}

export interface StoreOptions {
  /** Embedded store folder (SQLite file lives here). */
  dataDir: string;
  /** When set, MongoDB is used instead of SQLite. */
  mongodbUri?: string;
  /** MongoDB database name (default 'rimag_tx'). */
  mongodbDatabase?: string;
  /** Poll interval for `watch` where change streams are unavailable (ms). */
  pollIntervalMs?: number;
  /** MongoDB: how long one operation waits for a reachable server before failing with 503 (default 3000 ms). */
  mongodbServerSelectionTimeoutMs?: number;
  /** MongoDB: connection attempts at start before giving up with a clear error (default 5). */
  mongodbConnectRetries?: number;
}
