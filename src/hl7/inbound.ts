/**
 * What happens to one inbound frame, from bytes to ACK bytes (NOTES.md §2.2, §2.5 "store-and-forward"):
 * decode → parse → validate (type, version, control id) → duplicate check → rewrite OBR-4 →
 * unmapped policy → durable journal append (group commit) → ACK in the inbound charset.
 * Never throws: every failure becomes an AE/AR (or CE/CR) the sender can match on MSA-2.
 */
import type { Logger } from '../logger.js';
import type { JournalEntry } from '../store/store.js';
import { buildAck, headerOf, HL7_ERROR, sniffHeader, versionAtLeast, type AckCode, type AckError, type AckHeader } from './ack.js';
import { chooseCharset, decode, encode, MSH18_NAME, type Charset } from './charset.js';
import type { ListenerConfig, RouteConfig } from './config.js';
import { escapeValue, DEFAULT_DELIMITERS } from './escape.js';
import type { GroupCommitter } from './group-commit.js';
import { Hl7Message } from './message.js';
import type { OrderCodeResolver } from './resolver.js';
import { rewriteOrderCodes, type RewriteResult } from './rewrite.js';
import type { Settlement } from './forwarder.js';
import type { UnmappedRegistry } from './unmapped.js';

export interface GatewayCounters {
  received: number;
  rewritten: number;
  unmapped: number;
  held: number;
  forwarded: number;
  retried: number;
  deadLettered: number;
  duplicates: number;
  rejected: number;
  passedThrough: number;
  journalErrors: number;
}

export function emptyCounters(): GatewayCounters {
  return { received: 0, rewritten: 0, unmapped: 0, held: 0, forwarded: 0, retried: 0, deadLettered: 0, duplicates: 0, rejected: 0, passedThrough: 0, journalErrors: 0 };
}

/** A message being stored: `stored` once it is durably journaled, `failed` when it will not be. */
export interface InboundClaim {
  stored(entry: { id: number; receivedAt: string }): void;
  failed(): void;
}

export interface InboundDeps {
  listener: ListenerConfig;
  route: RouteConfig;
  resolver: OrderCodeResolver;
  committer: GroupCommitter;
  counters: GatewayCounters;
  unmapped: UnmappedRegistry;
  logger: Logger;
  duplicateWindowMs: number;
  /** Duplicate check (in-memory window backed by the journal, see duplicates.ts): the earlier entry, if any. */
  findOriginal: (sender: string, controlId: string) => Promise<{ id: number; receivedAt: string } | undefined>;
  /** Marks sender+controlId as in flight; copies wait on the claim's outcome (see DuplicateWindow). */
  claim: (sender: string, controlId: string) => InboundClaim;
  /** A queued entry is durable: hand it to its route's forwarder. */
  forward: (entry: JournalEntry) => void;
  /** Synchronous mode: resolves when the entry is delivered or dead, or undefined after the timeout. */
  awaitSettlement: (id: number, timeoutMs: number) => Promise<Settlement | undefined>;
}

const KNOWN_VERSIONS = new Set(['2.1', '2.2', '2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.7.1', '2.8', '2.8.1', '2.8.2', '2.9']);

interface ReplyBase {
  header: AckHeader;
  charset: Charset;
  /** MSH-15 / MSH-16 of the inbound message (enhanced mode when either is present). */
  acceptAck: string;
  appAck: string;
}

interface Reply extends ReplyBase {
  ok: boolean;
  /** Original-mode code to use (AA/AE/AR); mapped to CA/CE/CR in enhanced mode. */
  code: 'AA' | 'AE' | 'AR';
  error?: AckError;
  /** The journal entry the ACK answers for: MSH-10 and MSH-7 come from it, so a duplicate gets the same ACK again. */
  entry?: { id: number; receivedAt: string };
}

/** MSH-10 of the ACK for journal entry `id`: the same every time it is answered. */
export function journalAckId(id: number): string {
  return `AJ${id}`;
}

/** The message's child logger, built only when something is logged (a per-message cost otherwise). */
function messageLog(deps: InboundDeps, controlId: string, sender: string, messageType: string): Logger {
  return deps.logger.child({ listener: deps.listener.name, route: deps.route.name, controlId, sender, messageType });
}

/** A rejection: counted, logged (no patient data), answered with an AE/AR (CE/CR) naming the error. */
function rejectReply(deps: InboundDeps, base: ReplyBase, code: 'AE' | 'AR', error: AckError): Buffer | undefined {
  deps.counters.rejected += 1;
  deps.logger.warn({ listener: deps.listener.name, controlId: base.header.controlId, errorCode: error.code, reason: error.message }, 'hl7 message rejected');
  return renderReply({ ...base, ok: false, code, error });
}

/** Handles one frame payload; returns the ACK payload (undefined = send nothing). */
export async function handleInbound(payload: Buffer, deps: InboundDeps): Promise<Buffer | undefined> {
  deps.counters.received += 1;
  const { charset } = chooseCharset(payload, deps.listener.charset);
  const text = decode(payload, charset);
  let msg: Hl7Message;
  try {
    msg = Hl7Message.parse(text);
  } catch (err) {
    deps.counters.rejected += 1;
    const header = sniffHeader(text) ?? fallbackHeader();
    deps.logger.warn({ listener: deps.listener.name, controlId: header.controlId, err: (err as Error).message }, 'hl7 frame is not a parseable HL7 message');
    return renderReply({ header, charset, ok: false, code: 'AE', acceptAck: '', appAck: '', error: { code: HL7_ERROR.segmentSequence, message: `cannot parse message: ${(err as Error).message}`, location: { segment: 'MSH', sequence: 1 } } });
  }
  const header = headerOf(msg);
  const base: ReplyBase = { header, charset, acceptAck: msg.valueAt(0, 15), appAck: msg.valueAt(0, 16) };
  const type = `${msg.valueAt(0, 9, 1)}^${header.trigger}`;
  if (msg.valueAt(0, 9, 1) === 'ACK') {
    deps.logger.warn({ listener: deps.listener.name, controlId: header.controlId }, 'hl7 ACK received on a listener; not acknowledged');
    return undefined; // never ACK an ACK
  }
  if (!header.controlId) return rejectReply(deps, base, 'AE', { code: HL7_ERROR.requiredFieldMissing, message: 'MSH-10 (message control id) is missing', location: { segment: 'MSH', sequence: 1, field: 10 } });
  if (!msg.valueAt(0, 9, 1)) return rejectReply(deps, base, 'AE', { code: HL7_ERROR.requiredFieldMissing, message: 'MSH-9 (message type) is missing', location: { segment: 'MSH', sequence: 1, field: 9 } });
  if (!KNOWN_VERSIONS.has(header.version)) return rejectReply(deps, base, 'AR', { code: HL7_ERROR.unsupportedVersion, message: `unsupported HL7 version ${JSON.stringify(header.version)}`, location: { segment: 'MSH', sequence: 1, field: 12 } });
  const isOrder = (type === 'ORM^O01' && !versionAtLeast(header.version, '2.7')) || (type === 'OMI^O23' && versionAtLeast(header.version, '2.5'));
  if (!isOrder && (type === 'ORM^O01' || type === 'OMI^O23')) {
    return rejectReply(deps, base, 'AR', { code: HL7_ERROR.unsupportedVersion, message: `${type} is not supported in version ${header.version} (ORM^O01: 2.3–2.6, OMI^O23: 2.5+)`, location: { segment: 'MSH', sequence: 1, field: 12 } });
  }
  if (!isOrder && !deps.listener.passThroughOtherTypes) return rejectReply(deps, base, 'AR', { code: HL7_ERROR.unsupportedMessageType, message: `message type ${type} is not accepted on this interface`, location: { segment: 'MSH', sequence: 1, field: 9 } });

  const sender = senderOf(msg, deps.listener);
  try {
    const original = await deps.findOriginal(sender, header.controlId);
    if (original) {
      deps.counters.duplicates += 1;
      messageLog(deps, header.controlId, sender, type).info('hl7 duplicate acknowledged, not forwarded again');
      // The original's ACK again (same MSH-10 and MSH-7). On a synchronous route the original's answer
      // depended on the downstream, so a fresh AA says only "already have it".
      return renderReply({ ...base, ok: true, code: 'AA', entry: deps.route.mode === 'synchronous' ? undefined : original });
    }
  } catch (err) {
    messageLog(deps, header.controlId, sender, type).error({ err: (err as Error).message }, 'hl7 duplicate check failed');
    deps.counters.journalErrors += 1;
    return rejectReply(deps, base, 'AR', { code: HL7_ERROR.applicationInternal, message: 'the journal is unavailable; please resend later' });
  }
  // Claimed now, so a copy arriving on another connection during the rewrite is seen as a duplicate.
  const claim = deps.claim(sender, header.controlId);

  let rewrite: RewriteResult | undefined;
  if (isOrder) {
    try {
      rewrite = await rewriteOrderCodes(msg, { resolver: deps.resolver, sender, codingSystemId: deps.route.codingSystemId, extensionCodingSystemIds: deps.route.extensionCodingSystemIds, localCodePlacement: deps.route.localCodePlacement, zSegmentId: deps.route.zSegmentId });
    } catch (err) {
      messageLog(deps, header.controlId, sender, type).error({ err: (err as Error).message }, 'hl7 rewrite failed');
      claim.failed();
      return rejectReply(deps, base, 'AE', { code: HL7_ERROR.applicationInternal, message: 'order code lookup failed; please resend later' });
    }
  } else {
    deps.counters.passedThrough += 1;
  }
  const unmapped = rewrite?.outcomes.filter((o) => o.result.kind === 'unmapped') ?? [];
  for (const o of rewrite?.outcomes ?? []) {
    if (o.result.kind === 'mapped') deps.counters.rewritten += 1;
    if (o.result.kind === 'unmapped') {
      deps.counters.unmapped += 1;
      deps.unmapped.record({ sender, route: deps.route.name, code: o.localCode, text: o.localText, codingSystem: o.localSystem, reason: o.result.reason });
    }
  }
  if (unmapped.length > 0 && deps.listener.unmappedPolicy === 'reject') {
    const first = unmapped[0];
    const reason = first.result.kind === 'unmapped' ? first.result.reason : '';
    claim.failed();
    return rejectReply(deps, base, deps.listener.rejectAck, {
      code: HL7_ERROR.tableValueNotFound,
      message: `local order code ${first.localCode || first.localText} (OBR ${first.obr}) has no standard code: ${reason}`,
      location: { segment: 'OBR', sequence: first.obr, field: 4 },
    });
  }

  const outCharset = deps.route.charset === 'same' ? charset : deps.route.charset;
  if (outCharset !== charset && msg.fieldRaw(0, 18)) msg.setFieldRaw(0, 18, escapeValue(MSH18_NAME[outCharset], msg.delimiters));
  const unchanged = !rewrite?.changed && outCharset === charset && msg.fieldRaw(0, 18) === header.charsetField;
  const outbound = unchanged ? payload : encode(msg.toString(), outCharset);
  const held = unmapped.length > 0 && deps.listener.unmappedPolicy === 'hold';
  const note = journalNote(rewrite, held);
  let entry: JournalEntry;
  try {
    entry = await deps.committer.append({ route: deps.route.name, sender, controlId: header.controlId, messageType: msg.fieldRaw(0, 9), inbound: payload, outbound, state: held ? 'held' : 'queued', note });
  } catch (err) {
    deps.counters.journalErrors += 1;
    messageLog(deps, header.controlId, sender, type).error({ err: (err as Error).message }, 'hl7 journal append failed; sender must resend');
    claim.failed();
    return rejectReply(deps, base, 'AR', { code: HL7_ERROR.applicationInternal, message: 'the message could not be stored; please resend' });
  }
  claim.stored(entry);
  if (deps.logger.isLevelEnabled('info')) messageLog(deps, header.controlId, sender, type).info({ journalId: entry.id, state: entry.state, rewritten: rewrite?.outcomes.filter((o) => o.result.kind === 'mapped').length ?? 0, unmapped: unmapped.length }, 'hl7 message journaled');
  if (held) {
    deps.counters.held += 1;
    return renderReply({ ...base, ok: true, code: 'AA', entry });
  }
  deps.forward(entry);
  if (deps.route.mode === 'synchronous') {
    const settled = await deps.awaitSettlement(entry.id, deps.route.syncTimeoutMs);
    if (!settled) return renderReply({ ...base, ok: false, code: 'AE', error: { code: HL7_ERROR.applicationInternal, message: 'the downstream did not acknowledge in time; the message stays queued and will be delivered', severity: 'W' } });
    if (settled.outcome === 'dead') return renderReply({ ...base, ok: false, code: 'AR', error: { code: HL7_ERROR.applicationInternal, message: settled.reason } });
  }
  return renderReply({ ...base, ok: true, code: 'AA', entry: deps.route.mode === 'synchronous' ? undefined : entry });
}

function senderOf(msg: Hl7Message, listener: ListenerConfig): string {
  const app = msg.fieldRaw(0, 3);
  const facility = msg.fieldRaw(0, 4);
  if (listener.senderKey === 'MSH-3') return app;
  if (listener.senderKey === 'MSH-4') return facility;
  return `${app}^${facility}`;
}

/** Compact, durable record of what the rewrite did (codes and exam names only, no patient data). */
function journalNote(rewrite: RewriteResult | undefined, held: boolean): string | undefined {
  if (!rewrite) return undefined;
  const note = {
    held: held || undefined,
    obr: rewrite.outcomes.map((o) =>
      o.result.kind === 'mapped'
        ? { n: o.obr, local: o.localCode, system: o.localSystem, code: o.result.code, via: o.result.via }
        : o.result.kind === 'unmapped'
          ? { n: o.obr, local: o.localCode, text: o.localText, system: o.localSystem, unmapped: o.result.reason }
          : { n: o.obr, already: true },
    ),
    warnings: rewrite.warnings.length ? rewrite.warnings : undefined,
  };
  return JSON.stringify(note);
}

function fallbackHeader(): AckHeader {
  return { delimiters: DEFAULT_DELIMITERS, sendingApp: '', sendingFacility: '', receivingApp: '', receivingFacility: '', trigger: '', controlId: '', processingId: 'P', version: '2.5', charsetField: '' };
}

/**
 * Original mode (MSH-15 and MSH-16 empty): one AA/AE/AR. Enhanced mode: a commit ACK CA/CE/CR when
 * MSH-15 asks for it (AL; ER on error; SU on success; empty counts as AL); otherwise an application
 * ACK when MSH-16 asks (the gateway's own outcome); otherwise nothing.
 */
function renderReply(r: Reply): Buffer | undefined {
  let code: AckCode = r.code;
  if (r.acceptAck || r.appAck) {
    if (wantsAck(r.acceptAck || 'AL', r.ok)) code = r.code === 'AA' ? 'CA' : r.code === 'AE' ? 'CE' : 'CR';
    else if (!wantsAck(r.appAck, r.ok)) return undefined;
  }
  const ackId = r.entry ? journalAckId(r.entry.id) : undefined;
  const now = r.entry ? new Date(r.entry.receivedAt) : undefined;
  return encode(buildAck({ header: r.header, code, error: r.error, controlId: ackId, now }), r.charset);
}

/** Whether an acknowledgment condition (HL7 table 0155: AL, NE, ER, SU) asks for an ACK with this outcome. */
function wantsAck(condition: string, ok: boolean): boolean {
  return condition === 'AL' || (condition === 'ER' && !ok) || (condition === 'SU' && ok);
}

/** NAK for an oversize frame when its MSH is readable; undefined (close the connection) otherwise. */
export function oversizeReply(head: Buffer, listener: ListenerConfig): Buffer | undefined {
  const { charset } = chooseCharset(head, listener.charset);
  const header = sniffHeader(decode(head, charset));
  if (!header || !header.controlId || !head.subarray(0, 3).equals(Buffer.from('MSH'))) return undefined;
  return encode(buildAck({ header, code: 'AR', error: { code: HL7_ERROR.applicationInternal, message: `message exceeds the maximum frame size of ${listener.maxFrameBytes} bytes`, location: { segment: 'MSH', sequence: 1 } } }), charset);
}
