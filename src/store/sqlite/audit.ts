/**
 * Audit trail in SQLite: an append-only table whose rows form a hash chain (see ../audit-chain.ts).
 * Appends run in an IMMEDIATE transaction so the "read last hash, insert next" step is atomic
 * across processes sharing the file. The chain header (algorithm), the anchor left by prune and
 * the head (last appended record, to detect a truncated tail) live in `store_meta`.
 */
import { nextAuditRecord, ChainVerifier, preferredAuditAlgorithm } from '../audit-chain.js';
import { toInstant } from '../canonical.js';
import type { AuditInput, AuditQuery, AuditRecord, AuditStore, AuditVerifyResult } from '../store.js';
import { type Db, limitClause, readMeta, writeMeta, writeTransaction } from './db.js';
import { mapSqliteError } from './errors.js';

interface AuditRow {
  seq: number;
  time: string;
  actor: string;
  action: string;
  entity: string | null;
  outcome: AuditRecord['outcome'];
  client_address: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
  algorithm: string;
}

function toRecord(row: AuditRow): AuditRecord {
  const record: AuditRecord = { seq: row.seq, time: row.time, actor: row.actor, action: row.action, outcome: row.outcome, prevHash: row.prev_hash, hash: row.hash, algorithm: row.algorithm };
  if (row.entity !== null) record.entity = row.entity;
  if (row.client_address !== null) record.clientAddress = row.client_address;
  if (row.detail !== null) record.detail = row.detail;
  return record;
}

export class SqliteAuditStore implements AuditStore {
  constructor(private readonly db: Db) {}

  async append(input: AuditInput): Promise<AuditRecord> {
    const time = toInstant(input.time ?? new Date());
    return mapSqliteError(() =>
      writeTransaction(this.db, () => {
        const algorithm = this.chainAlgorithm();
        const last = this.db.prepare('SELECT seq, hash FROM audit_record ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
        const head = last ?? readMeta<{ seq: number; hash: string }>(this.db, 'audit.head');
        const full = nextAuditRecord(head, input, time, algorithm);
        this.db
          .prepare(
            `INSERT INTO audit_record (seq, time, actor, action, entity, outcome, client_address, detail, prev_hash, hash, algorithm)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(full.seq, full.time, full.actor, full.action, full.entity ?? null, full.outcome, full.clientAddress ?? null, full.detail ?? null, full.prevHash, full.hash, algorithm);
        writeMeta(this.db, 'audit.head', { seq: full.seq, hash: full.hash });
        return full;
      }),
    );
  }

  async list(query: AuditQuery): Promise<AuditRecord[]> {
    const parts: string[] = [];
    const args: unknown[] = [];
    if (query.from !== undefined) (parts.push('time >= ?'), args.push(toInstant(query.from)));
    if (query.to !== undefined) (parts.push('time <= ?'), args.push(toInstant(query.to)));
    if (query.entity !== undefined) (parts.push('entity = ?'), args.push(query.entity));
    if (query.action !== undefined) (parts.push('action = ?'), args.push(query.action));
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    const order = query.order === 'asc' ? 'ASC' : 'DESC';
    const limit = limitClause(query.limit);
    return mapSqliteError(() => (this.db.prepare(`SELECT * FROM audit_record ${where} ORDER BY seq ${order} ${limit}`).all(...args) as AuditRow[]).map(toRecord));
  }

  async verify(): Promise<AuditVerifyResult> {
    // One read transaction: a consistent snapshot even while other processes append; rows are
    // checked as they stream, so memory stays flat however long the trail.
    const run = this.db.transaction((): AuditVerifyResult => {
      const verifier = new ChainVerifier({
        algorithm: readMeta<string>(this.db, 'audit.algorithm'),
        anchor: readMeta<{ seq: number; prevHash: string }>(this.db, 'audit.anchor'),
        head: readMeta<{ seq: number; hash: string }>(this.db, 'audit.head'),
      });
      for (const row of this.db.prepare('SELECT * FROM audit_record ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
        const failure = verifier.push(toRecord(row));
        if (failure) return failure;
      }
      return verifier.finish();
    });
    return mapSqliteError(() => run.deferred());
  }

  async prune(before: string): Promise<number> {
    const cutoff = toInstant(before);
    return mapSqliteError(() =>
      writeTransaction(this.db, () => {
        // Only a prefix of the chain can go; a younger record stops the prune even if older ones follow it.
        const firstKept = this.db.prepare('SELECT seq, prev_hash FROM audit_record WHERE time >= ? ORDER BY seq LIMIT 1').get(cutoff) as
          | { seq: number; prev_hash: string }
          | undefined;
        const head = readMeta<{ seq: number; hash: string }>(this.db, 'audit.head');
        const anchor = firstKept ? { seq: firstKept.seq, prevHash: firstKept.prev_hash } : head ? { seq: head.seq + 1, prevHash: head.hash } : undefined;
        if (!anchor) return 0;
        const removed = this.db.prepare('DELETE FROM audit_record WHERE seq < ?').run(anchor.seq).changes;
        if (removed > 0) writeMeta(this.db, 'audit.anchor', anchor);
        return removed;
      }),
    );
  }

  /** The chain's algorithm, fixed by the first append (inside the caller's write transaction). */
  private chainAlgorithm(): string {
    const existing = readMeta<string>(this.db, 'audit.algorithm');
    if (existing) return existing;
    const chosen = preferredAuditAlgorithm();
    writeMeta(this.db, 'audit.algorithm', chosen);
    return chosen;
  }
}
