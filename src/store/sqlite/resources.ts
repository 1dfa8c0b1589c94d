/**
 * FHIR resources with versions in SQLite. `resource_version` is the append-only history (its
 * AUTOINCREMENT rowid is the global `seq`); `resource_current` points at the newest version of
 * each resource. Both change in one IMMEDIATE transaction, so a reader sees either the old or
 * the new version, never half a write, and concurrent writers (threads of one process or several
 * processes) serialise on the write lock: versions stay contiguous and If-Match cannot lose an update.
 */
import type { Resource } from 'fhir/r4';
import { ConflictError } from '../../errors.js';
import { contentHash, toInstant } from '../canonical.js';
import type { HistoryQuery, PutResult, ResourceStore, ResourceVersion, WriteOptions } from '../store.js';
import { newVersionBody, requireIdentity } from '../versioning.js';
import { type Db, limitClause, writeTransaction } from './db.js';
import { mapSqliteError } from './errors.js';

interface VersionRow {
  seq: number;
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: string;
  deleted: number;
  content_hash: string;
  body: string;
}

interface CurrentRow {
  version_id: number;
  seq: number;
  deleted: number;
}

function toVersion(row: VersionRow): ResourceVersion {
  return {
    resourceType: row.resource_type,
    id: row.id,
    versionId: row.version_id,
    lastUpdated: row.last_updated,
    seq: row.seq,
    deleted: row.deleted === 1,
    contentHash: row.content_hash,
    resource: JSON.parse(row.body) as Resource,
  };
}

function whereClause(query: Omit<HistoryQuery, 'limit' | 'order'>): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  if (query.resourceType !== undefined) (parts.push('resource_type = ?'), args.push(query.resourceType));
  if (query.id !== undefined) (parts.push('id = ?'), args.push(query.id));
  if (query.since !== undefined) (parts.push('last_updated >= ?'), args.push(toInstant(query.since)));
  if (query.afterSeq !== undefined) (parts.push('seq > ?'), args.push(query.afterSeq));
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

export class SqliteResourceStore implements ResourceStore {
  private readonly selectCurrent;
  private readonly selectBySeq;
  private readonly insertVersion;
  private readonly upsertCurrent;
  private readonly selectHead;

  constructor(private readonly db: Db) {
    this.selectCurrent = db.prepare('SELECT version_id, seq, deleted FROM resource_current WHERE resource_type = ? AND id = ?');
    this.selectBySeq = db.prepare('SELECT * FROM resource_version WHERE seq = ?');
    this.selectHead = db.prepare('SELECT COALESCE(MAX(seq), 0) AS head FROM resource_version');
    this.insertVersion = db.prepare(
      'INSERT INTO resource_version (resource_type, id, version_id, last_updated, deleted, content_hash, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.upsertCurrent = db.prepare(
      `INSERT INTO resource_current (resource_type, id, version_id, seq, deleted) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id, seq = excluded.seq, deleted = excluded.deleted`,
    );
  }

  async put(resource: Resource & { id: string }, options: WriteOptions = {}): Promise<PutResult> {
    return this.write(resource, options, false);
  }

  async putIfChanged(resource: Resource & { id: string }, options: WriteOptions = {}): Promise<PutResult> {
    return this.write(resource, options, true);
  }

  async delete(resourceType: string, id: string, options: WriteOptions = {}): Promise<ResourceVersion | undefined> {
    return mapSqliteError(() =>
      writeTransaction(this.db, () => {
        const current = this.selectCurrent.get(resourceType, id) as CurrentRow | undefined;
        checkIfMatch(resourceType, id, current, options.ifMatch);
        if (!current || current.deleted) return undefined;
        const last = toVersion(this.selectBySeq.get(current.seq) as VersionRow);
        return this.insert(last.resource as Resource & { id: string }, current.version_id + 1, last.contentHash, true);
      }),
    );
  }

  async read(resourceType: string, id: string): Promise<ResourceVersion | undefined> {
    return mapSqliteError(() => {
      const row = this.db
        .prepare('SELECT v.* FROM resource_current c JOIN resource_version v ON v.seq = c.seq WHERE c.resource_type = ? AND c.id = ?')
        .get(resourceType, id) as VersionRow | undefined;
      return row && toVersion(row);
    });
  }

  async vread(resourceType: string, id: string, versionId: number): Promise<ResourceVersion | undefined> {
    return mapSqliteError(() => {
      const row = this.db
        .prepare('SELECT * FROM resource_version WHERE resource_type = ? AND id = ? AND version_id = ?')
        .get(resourceType, id, versionId) as VersionRow | undefined;
      return row && toVersion(row);
    });
  }

  async history(query: HistoryQuery): Promise<ResourceVersion[]> {
    return mapSqliteError(() => {
      const { sql, args } = whereClause(query);
      const order = query.order === 'asc' ? 'ASC' : 'DESC';
      const limit = limitClause(query.limit);
      const rows = this.db.prepare(`SELECT * FROM resource_version ${sql} ORDER BY seq ${order} ${limit}`).all(...args) as VersionRow[];
      return rows.map(toVersion);
    });
  }

  async historyCount(query: Omit<HistoryQuery, 'limit' | 'order'>): Promise<number> {
    return mapSqliteError(() => {
      const { sql, args } = whereClause(query);
      return (this.db.prepare(`SELECT COUNT(*) AS n FROM resource_version ${sql}`).get(...args) as { n: number }).n;
    });
  }

  async listCurrent(resourceType?: string): Promise<ResourceVersion[]> {
    return mapSqliteError(() => {
      const base = 'SELECT v.* FROM resource_current c JOIN resource_version v ON v.seq = c.seq WHERE c.deleted = 0';
      const rows = (
        resourceType === undefined
          ? this.db.prepare(`${base} ORDER BY c.resource_type, c.id`).all()
          : this.db.prepare(`${base} AND c.resource_type = ? ORDER BY c.id`).all(resourceType)
      ) as VersionRow[];
      return rows.map(toVersion);
    });
  }

  /**
   * MAX(seq) of the version table: every put/delete inserts its version row with a new seq
   * (AUTOINCREMENT: never reused, the table is append-only) in the same transaction that moves
   * `resource_current`, so the marker and the current versions change in one commit, whichever
   * connection or process wrote. One index seek, no row decoded. Unlike `PRAGMA data_version` it also
   * sees this connection's own writes, and it ignores journal, audit and kv commits (the HL7 journal
   * commits on its own connection for every message, which would otherwise count as changes).
   */
  contentMarker(): number {
    return mapSqliteError(() => (this.selectHead.get() as { head: number }).head);
  }

  async headSeq(): Promise<number> {
    return this.contentMarker();
  }

  private write(resource: Resource & { id: string }, options: WriteOptions, onlyIfChanged: boolean): PutResult {
    requireIdentity(resource);
    const hash = contentHash(resource);
    return mapSqliteError(() =>
      writeTransaction(this.db, () => {
        const current = this.selectCurrent.get(resource.resourceType, resource.id) as CurrentRow | undefined;
        checkIfMatch(resource.resourceType, resource.id, current, options.ifMatch);
        if (onlyIfChanged && current && !current.deleted) {
          const row = this.selectBySeq.get(current.seq) as VersionRow;
          if (row.content_hash === hash) return { version: toVersion(row), outcome: 'unchanged' as const };
        }
        const version = this.insert(resource, (current?.version_id ?? 0) + 1, hash, false);
        return { version, outcome: !current || current.deleted ? ('created' as const) : ('updated' as const) };
      }),
    );
  }

  /** Inside a write transaction: appends one version and moves the current pointer to it. */
  private insert(resource: Resource & { id: string }, versionId: number, hash: string, deleted: boolean): ResourceVersion {
    const body = newVersionBody(resource, versionId);
    const lastUpdated = body.meta.lastUpdated;
    const info = this.insertVersion.run(resource.resourceType, resource.id, versionId, lastUpdated, deleted ? 1 : 0, hash, JSON.stringify(body));
    const seq = Number(info.lastInsertRowid);
    this.upsertCurrent.run(resource.resourceType, resource.id, versionId, seq, deleted ? 1 : 0);
    return { resourceType: resource.resourceType, id: resource.id, versionId, lastUpdated, seq, deleted, contentHash: hash, resource: body };
  }
}

function checkIfMatch(resourceType: string, id: string, current: CurrentRow | undefined, ifMatch: number | undefined): void {
  if (ifMatch === undefined) return;
  if (!current || current.version_id !== ifMatch) {
    const actual = current ? `version ${current.version_id}` : 'no version';
    throw new ConflictError(`${resourceType}/${id}: If-Match expected version ${ifMatch} but the current is ${actual}`, 412);
  }
}
