/**
 * ACK construction (NOTES.md §2.2): MSH-3/4 ↔ MSH-5/6 swapped, new MSH-7, MSH-9 = ACK^<trigger>
 * (`^ACK` added for 2.4+), a new unique MSH-10, MSH-11/12 copied, MSH-18 copied so the sender can
 * decode any text; MSA-1 the code, MSA-2 the received MSH-10; an ERR segment on errors (v2.5+
 * structure with ERR-2/3/4/8 from 2.5 on, ERR-1 ELD before); MSA-3 text before 2.5.
 */
import { escapeValue, type Delimiters, DEFAULT_DELIMITERS } from './escape.js';
import { Hl7Message, nthPiece } from './message.js';

export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

/** HL7 table 0357 codes we use. */
export const HL7_ERROR = {
  segmentSequence: 100,
  requiredFieldMissing: 101,
  dataType: 102,
  tableValueNotFound: 103,
  unsupportedMessageType: 200,
  unsupportedEvent: 201,
  unsupportedProcessingId: 202,
  unsupportedVersion: 203,
  applicationInternal: 207,
} as const;

const ERROR_TEXT: Record<number, string> = {
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  207: 'Application internal error',
};

export interface AckError {
  /** Table 0357 code. */
  code: number;
  /** Human-readable explanation (ERR-8 / MSA-3); no patient data. */
  message: string;
  /** Error location, e.g. { segment: 'OBR', sequence: 2, field: 4 }. */
  location?: { segment: string; sequence?: number; field?: number; component?: number };
  severity?: 'E' | 'W' | 'I' | 'F';
}

/** The inbound header fields an ACK needs, raw (escaped) as received. */
export interface AckHeader {
  delimiters: Delimiters;
  sendingApp: string;
  sendingFacility: string;
  receivingApp: string;
  receivingFacility: string;
  trigger: string;
  controlId: string;
  processingId: string;
  version: string;
  charsetField: string;
}

export function headerOf(msg: Hl7Message): AckHeader {
  return {
    delimiters: msg.delimiters,
    sendingApp: msg.fieldRaw(0, 3),
    sendingFacility: msg.fieldRaw(0, 4),
    receivingApp: msg.fieldRaw(0, 5),
    receivingFacility: msg.fieldRaw(0, 6),
    trigger: msg.valueAt(0, 9, 2),
    controlId: nthPiece(msg.fieldRaw(0, 10), msg.delimiters.component, 0),
    processingId: msg.fieldRaw(0, 11),
    version: nthPiece(msg.fieldRaw(0, 12), msg.delimiters.component, 0),
    charsetField: msg.fieldRaw(0, 18),
  };
}

/**
 * Best-effort header from text that did not parse as a message (HAPI does the same): finds an MSH
 * line anywhere and reads what it can. Undefined when there is no MSH at all.
 */
export function sniffHeader(text: string): AckHeader | undefined {
  const at = text.indexOf('MSH');
  if (at < 0) return undefined;
  const line = text.slice(at).split(/\r\n|\r|\n/)[0];
  try {
    return headerOf(Hl7Message.parse(line));
  } catch {
    if (line.length < 4) return undefined;
    const sep = line[3];
    const parts = line.split(sep);
    const d = { ...DEFAULT_DELIMITERS, field: sep };
    const g = (n: number) => parts[n - 1] ?? '';
    return {
      delimiters: d,
      sendingApp: g(3),
      sendingFacility: g(4),
      receivingApp: g(5),
      receivingFacility: g(6),
      trigger: (g(9).split('^')[1] ?? '').slice(0, 3),
      controlId: g(10).split('^')[0],
      processingId: g(11),
      version: g(12).split('^')[0],
      charsetField: g(18),
    };
  }
}

/** Numeric comparison of HL7 versions ('2.3.1' < '2.5'). */
export function versionAtLeast(version: string, minimum: string): boolean {
  const key = `${version}>=${minimum}`;
  let known = versionChecks.get(key);
  if (known === undefined) {
    known = compareVersions(version, minimum);
    if (versionChecks.size < 1024) versionChecks.set(key, known); // a feed uses a handful of versions
  }
  return known;
}
const versionChecks = new Map<string, boolean>();

function compareVersions(version: string, minimum: string): boolean {
  const a = version.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const b = minimum.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

let sequence = 0;
/** A new control id, unique across restarts (time-based) and within a process (counter); ≤ 20 chars (ST 20 in 2.3.1). */
export function newControlId(prefix = 'A'): string {
  sequence = (sequence + 1) % 46656; // 36^3
  return `${prefix}${Date.now().toString(36).toUpperCase()}${process.pid.toString(36).toUpperCase().slice(-3)}${sequence.toString(36).toUpperCase().padStart(3, '0')}`;
}

/** HL7 TS in UTC with explicit offset: YYYYMMDDHHMMSS+0000. */
export function hl7Timestamp(date = new Date()): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastStamp.second) {
    lastStamp.second = second;
    lastStamp.text = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + '+0000';
  }
  return lastStamp.text;
}
/** The timestamp only changes once a second; every ACK of that second shares the string. */
const lastStamp = { second: Number.NaN, text: '' };

export interface AckOptions {
  header: AckHeader;
  code: AckCode;
  error?: AckError;
  /** MSH-10 of the ACK; generated when absent. */
  controlId?: string;
  now?: Date;
}

/** Builds the ACK text (CR-terminated segments, including the last). */
export function buildAck(options: AckOptions): string {
  const { header: h, code, error } = options;
  const d = h.delimiters;
  const version = h.version || '2.5';
  const messageType = versionAtLeast(version, '2.4') ? `ACK${d.component}${h.trigger}${d.component}ACK` : h.trigger ? `ACK${d.component}${h.trigger}` : 'ACK';
  const msh = [
    'MSH',
    `${d.component}${d.repetition}${d.escape}${d.subcomponent}`,
    h.receivingApp,
    h.receivingFacility,
    h.sendingApp,
    h.sendingFacility,
    hl7Timestamp(options.now),
    '',
    messageType,
    options.controlId ?? newControlId(),
    h.processingId || 'P',
    version,
  ];
  if (h.charsetField) msh.push('', '', '', '', '', h.charsetField);
  const segments = [msh.join(d.field)];
  const msa = ['MSA', code, h.controlId];
  if (error && !versionAtLeast(version, '2.5')) msa.push(escapeValue(error.message, d));
  segments.push(msa.join(d.field));
  if (error) segments.push(errSegment(error, version, d));
  return segments.join('\r') + '\r';
}

function errSegment(error: AckError, version: string, d: Delimiters): string {
  const codeText = ERROR_TEXT[error.code] ?? 'Error';
  const loc = error.location;
  if (versionAtLeast(version, '2.5')) {
    const erl = loc ? [loc.segment, loc.sequence ?? 1, loc.field ?? '', loc.field ? 1 : '', loc.component ?? ''].join(d.component).replace(new RegExp(`${escapeRegex(d.component)}+$`), '') : '';
    const cwe = [error.code, codeText, 'HL70357'].join(d.component);
    return ['ERR', '', erl, cwe, error.severity ?? 'E', '', '', '', escapeValue(error.message, d)].join(d.field);
  }
  const eld = [loc?.segment ?? '', loc?.sequence ?? '', loc?.field ?? '', [error.code, codeText, 'HL70357'].join(d.subcomponent)].join(d.component);
  return ['ERR', eld].join(d.field);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Reads MSA-1/MSA-2/MSA-3 (and ERR-8 when present) from a received ACK. */
export function readAck(msg: Hl7Message): { code: string; controlId: string; text: string } {
  const msa = msg.indexesOf('MSA')[0];
  if (msa === undefined) return { code: '', controlId: '', text: '' };
  const errIdx = msg.indexesOf('ERR')[0];
  const text = msg.valueAt(msa, 3) || (errIdx !== undefined ? msg.valueAt(errIdx, 8) || msg.valueAt(errIdx, 3, 2) || msg.valueAt(errIdx, 1, 4) : '');
  return { code: msg.valueAt(msa, 1), controlId: msg.valueAt(msa, 2), text };
}
