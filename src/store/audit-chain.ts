/**
 * The audit hash chain, independent of the database: how a record's hash is computed and how a
 * sequence of records is verified. Both implementations store the same fields and call these.
 *
 * hash = H(prevHash + '\n' + canonicalJson(fields)), hex, where H is SM3 when Node's crypto offers
 * it (GB/T 32905, preferred for Chinese health-sector deployments) and SHA-256 otherwise. The
 * algorithm is fixed per chain when its first record is written (chain header) and repeated in
 * every record, so a chain stays verifiable on a Node build without SM3 only if it used SHA-256.
 */
import { createHash, getHashes } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import type { AuditInput, AuditRecord, AuditVerifyResult } from './store.js';

export type AuditHashAlgorithm = 'sm3' | 'sha256';

export function preferredAuditAlgorithm(): AuditHashAlgorithm {
  return getHashes().includes('sm3') ? 'sm3' : 'sha256';
}

export function algorithmAvailable(algorithm: string): boolean {
  return algorithm === 'sha256' || (algorithm === 'sm3' && getHashes().includes('sm3'));
}

/** The fields covered by the hash: everything but `hash` itself. */
export function auditRecordHash(record: Omit<AuditRecord, 'hash'>, algorithm: string): string {
  const fields = {
    seq: record.seq,
    time: record.time,
    actor: record.actor,
    action: record.action,
    entity: record.entity,
    outcome: record.outcome,
    clientAddress: record.clientAddress,
    detail: record.detail,
    algorithm,
  };
  return createHash(algorithm).update(`${record.prevHash}\n${canonicalJson(fields)}`).digest('hex');
}

/** Where the kept part of the chain starts (after prune) and where it ended at the last append. */
/**
 * The next record of the chain after `head` (the last record, or the prune anchor): the one
 * place where a record's fields and its hash are put together, for every store implementation.
 */
export function nextAuditRecord(head: { seq: number; hash: string } | undefined, input: AuditInput, time: string, algorithm: string): AuditRecord {
  const record: Omit<AuditRecord, 'hash'> = {
    seq: (head?.seq ?? 0) + 1,
    time,
    actor: input.actor,
    action: input.action,
    outcome: input.outcome,
    prevHash: head?.hash ?? '',
    algorithm,
    ...(input.entity !== undefined && { entity: input.entity }),
    ...(input.clientAddress !== undefined && { clientAddress: input.clientAddress }),
    ...(input.detail !== undefined && { detail: input.detail }),
  };
  return { ...record, hash: auditRecordHash(record, algorithm) };
}

export interface ChainState {
  algorithm?: string;
  /** seq of the first kept record and the hash it must link to; absent = chain starts at '' */
  anchor?: { seq: number; prevHash: string };
  /** last appended record; detects truncation of the tail */
  head?: { seq: number; hash: string };
}

/**
 * Checks records one at a time in seq order (constant memory, usable inside a synchronous
 * SQLite read transaction or over a MongoDB cursor). `push` returns the failure for the first
 * broken record; `finish` checks the end of the chain against the recorded head.
 */
export class ChainVerifier {
  private checked = 0;
  // The anchor stands in for the last pruned record.
  private lastSeq: number;
  private lastHash: string;
  private expectedSeq: number | undefined;

  constructor(private readonly state: ChainState) {
    this.lastSeq = (state.anchor?.seq ?? 1) - 1;
    this.lastHash = state.anchor?.prevHash ?? '';
    this.expectedSeq = state.anchor?.seq;
  }

  push(record: AuditRecord): AuditVerifyResult | undefined {
    const algorithm = record.algorithm ?? this.state.algorithm ?? 'sha256';
    const broken = (reason: string): AuditVerifyResult => ({ ok: false, checked: this.checked, firstBroken: record.seq, reason });
    if (this.state.algorithm && algorithm !== this.state.algorithm) return broken(`algorithm ${algorithm} differs from the chain's ${this.state.algorithm}`);
    if (!algorithmAvailable(algorithm)) return broken(`hash algorithm ${algorithm} is not available in this Node build`);
    if (this.expectedSeq !== undefined && record.seq !== this.expectedSeq) {
      return broken(this.expectedSeq < record.seq ? `records ${this.expectedSeq}..${record.seq - 1} are missing` : `seq ${record.seq} out of order`);
    }
    if (record.prevHash !== this.lastHash) return broken('prevHash does not match the previous record');
    if (auditRecordHash(record, algorithm) !== record.hash) return broken('record content does not match its hash');
    this.checked++;
    this.expectedSeq = record.seq + 1;
    this.lastSeq = record.seq;
    this.lastHash = record.hash;
    return undefined;
  }

  finish(): AuditVerifyResult {
    const { head } = this.state;
    if (head && this.lastSeq < head.seq) {
      return { ok: false, checked: this.checked, firstBroken: this.lastSeq + 1, reason: `records ${this.lastSeq + 1}..${head.seq} were appended but are missing` };
    }
    if (head && this.lastSeq === head.seq && this.lastHash !== head.hash) {
      return { ok: false, checked: this.checked, firstBroken: this.lastSeq, reason: 'last record does not match the recorded chain head' };
    }
    return { ok: true, checked: this.checked };
  }
}

/** Verifies records given in seq order (an array or an async cursor). */
export async function verifyChain(records: AsyncIterable<AuditRecord> | Iterable<AuditRecord>, state: ChainState): Promise<AuditVerifyResult> {
  const verifier = new ChainVerifier(state);
  for await (const record of records) {
    const failure = verifier.push(record);
    if (failure) return failure;
  }
  return verifier.finish();
}
