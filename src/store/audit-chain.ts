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
import { canonicalJson } from './canonical.js';
import type { AuditRecord, AuditVerifyResult } from './store.js';

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
export interface ChainState {
  algorithm?: string;
  /** seq of the first kept record and the hash it must link to; absent = chain starts at '' */
  anchor?: { seq: number; prevHash: string };
  /** last appended record; detects truncation of the tail */
  head?: { seq: number; hash: string };
}

/**
 * Walks records in seq order and reports the first one whose link or hash fails. `records` may be
 * an iterator over a cursor: verification holds one record at a time.
 */
export async function verifyChain(records: AsyncIterable<AuditRecord> | Iterable<AuditRecord>, state: ChainState): Promise<AuditVerifyResult> {
  let checked = 0;
  let expectedPrev = state.anchor?.prevHash ?? '';
  let expectedSeq: number | undefined = state.anchor?.seq;
  // The anchor stands in for the last pruned record.
  let lastSeq = (state.anchor?.seq ?? 1) - 1;
  let lastHash = state.anchor?.prevHash ?? '';
  for await (const record of records) {
    const algorithm = record.algorithm ?? state.algorithm ?? 'sha256';
    const broken = (reason: string): AuditVerifyResult => ({ ok: false, checked, firstBroken: record.seq, reason });
    if (state.algorithm && algorithm !== state.algorithm) return broken(`algorithm ${algorithm} differs from the chain's ${state.algorithm}`);
    if (!algorithmAvailable(algorithm)) return broken(`hash algorithm ${algorithm} is not available in this Node build`);
    if (expectedSeq !== undefined && record.seq !== expectedSeq) {
      return broken(expectedSeq < record.seq ? `records ${expectedSeq}..${record.seq - 1} are missing` : `seq ${record.seq} out of order`);
    }
    if (record.prevHash !== expectedPrev) return broken('prevHash does not match the previous record');
    if (auditRecordHash(record, algorithm) !== record.hash) return broken('record content does not match its hash');
    checked++;
    expectedPrev = record.hash;
    expectedSeq = record.seq + 1;
    lastSeq = record.seq;
    lastHash = record.hash;
  }
  if (state.head && lastSeq < state.head.seq) {
    return { ok: false, checked, firstBroken: lastSeq + 1, reason: `records ${lastSeq + 1}..${state.head.seq} were appended but are missing` };
  }
  if (state.head && lastSeq === state.head.seq && lastHash !== state.head.hash) {
    return { ok: false, checked, firstBroken: lastSeq, reason: 'last record does not match the recorded chain head' };
  }
  return { ok: true, checked };
}
