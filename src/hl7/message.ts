/**
 * A lean HL7 v2 message model for rewriting without corruption (NOTES.md §4):
 * - works on already-decoded text (decode the bytes first, see charset.ts);
 * - keeps every segment as its raw text, so untouched segments are written back byte-for-byte;
 * - remembers the segment terminator that arrived (CR, CRLF or LF) and whether the last segment
 *   had one;
 * - gives 1-based field access with HL7 numbering (MSH-1 is the field separator itself);
 * - rebuilds only the fields a caller sets.
 */
import { delimitersOf, unescapeValue, type Delimiters } from './escape.js';

export type SegmentTerminator = '\r' | '\r\n' | '\n';

export class MessageFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageFormatError';
  }
}

export class Hl7Message {
  /** Field split of each segment, made on first access (a message is read field by field many times). */
  private fieldCache: Array<string[] | undefined> = [];
  /** Segment ids, made on first access. */
  private idCache: string[] | undefined;

  private constructor(
    /** Raw segment texts, without terminators, in order. */
    readonly segments: string[],
    readonly terminator: SegmentTerminator,
    readonly delimiters: Delimiters,
    /** Whether the last segment ended with a terminator when received. */
    readonly trailingTerminator: boolean,
    /** Text before MSH that was dropped (whitespace only), kept for exact reproduction. */
    private readonly leading: string,
  ) {}

  /** Parses decoded text. Throws MessageFormatError when there is no MSH segment first. */
  static parse(text: string): Hl7Message {
    const start = text.search(/\S/);
    const leading = start > 0 ? text.slice(0, start) : '';
    const body = start > 0 ? text.slice(start) : text;
    if (!body.startsWith('MSH') || body.length < 8) throw new MessageFormatError('message does not start with an MSH segment');
    const terminator: SegmentTerminator = body.includes('\r\n') ? '\r\n' : body.includes('\r') ? '\r' : '\n';
    const parts = body.split(terminator);
    const trailing = parts.length > 1 && parts[parts.length - 1] === '';
    if (trailing) parts.pop();
    const delimiters = delimitersOf(parts[0]);
    if (/[A-Za-z0-9\s]/.test(delimiters.field) || new Set(Object.values(delimiters)).size !== 5) {
      throw new MessageFormatError('MSH-1/MSH-2 do not define five distinct delimiters');
    }
    return new Hl7Message(parts, terminator, delimiters, trailing, leading);
  }

  /** Segment ids in order (e.g. ['MSH','PID','ORC','OBR']). */
  segmentIds(): string[] {
    this.idCache ??= this.segments.map((s) => segmentId(s, this.delimiters));
    return [...this.idCache];
  }

  /** Indexes of the segments with this id. */
  indexesOf(id: string): number[] {
    this.idCache ??= this.segments.map((s) => segmentId(s, this.delimiters));
    const out: number[] = [];
    for (let i = 0; i < this.idCache.length; i++) if (this.idCache[i] === id) out.push(i);
    return out;
  }

  /** Raw (escaped) text of field `n` of the segment at `index`; '' when absent. */
  fieldRaw(index: number, n: number): string {
    const segment = this.segments[index];
    if (segment === undefined || n < 1) return '';
    const header = isHeaderSegment(segment);
    if (header && n === 1) return this.delimiters.field;
    let parts = this.fieldCache[index];
    if (parts === undefined) {
      parts = segment.split(this.delimiters.field);
      this.fieldCache[index] = parts;
    }
    return parts[header ? n - 1 : n] ?? '';
  }

  /**
   * Unescaped value of `SEG-n[.c[.s]]` in the first segment with that id (e.g. 'MSH-10', 'MSH-9.2',
   * 'OBR-4.1'). First repetition only. '' when absent.
   */
  get(path: string): string {
    const m = /^([A-Z0-9]{3})-(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(path);
    if (!m) throw new Error(`bad path ${path}`);
    const index = this.indexesOf(m[1])[0];
    if (index === undefined) return '';
    return this.valueAt(index, Number(m[2]), m[3] ? Number(m[3]) : undefined, m[4] ? Number(m[4]) : undefined);
  }

  /** Unescaped value of field/component/subcomponent of one segment (first repetition). */
  valueAt(index: number, field: number, component?: number, sub?: number): string {
    const d = this.delimiters;
    let raw = this.fieldRaw(index, field);
    if (index === 0 && field <= 2) return raw; // MSH-1/2 are the delimiters, never escaped
    raw = nthPiece(raw, d.repetition, 0);
    if (component !== undefined) raw = nthPiece(raw, d.component, component - 1);
    if (sub !== undefined) raw = nthPiece(raw, d.subcomponent, sub - 1);
    return unescapeValue(raw, d);
  }

  /** Replaces the raw text of field `n` in the segment at `index` (caller escapes values). */
  setFieldRaw(index: number, n: number, raw: string): void {
    this.segments[index] = withFieldRaw(this.segments[index], n, raw, this.delimiters);
    this.fieldCache[index] = undefined;
  }

  insertSegment(afterIndex: number, raw: string): void {
    this.segments.splice(afterIndex + 1, 0, raw);
    this.fieldCache.splice(afterIndex + 1, 0, undefined);
    this.idCache = undefined;
  }

  toString(): string {
    return this.leading + this.segments.join(this.terminator) + (this.trailingTerminator ? this.terminator : '');
  }
}

export function segmentId(segment: string, d: Delimiters): string {
  const cut = segment.indexOf(d.field);
  return (cut < 0 ? segment : segment.slice(0, cut)).trim();
}

/** The `n`-th (0-based) piece of `raw` split on `separator`, '' when absent (split without the array). */
export function nthPiece(raw: string, separator: string, n: number): string {
  if (n < 0) return '';
  let start = 0;
  for (let i = 0; i < n; i++) {
    const at = raw.indexOf(separator, start);
    if (at < 0) return '';
    start = at + separator.length;
  }
  const end = raw.indexOf(separator, start);
  return end < 0 ? (start === 0 ? raw : raw.slice(start)) : raw.slice(start, end);
}

/** MSH, BHS and FHS count their field separator as field 1. */
function isHeaderSegment(segment: string): boolean {
  return segment.startsWith('MSH') || segment.startsWith('BHS') || segment.startsWith('FHS');
}

/** Position of field n in `segment.split(field)`: MSH counts its separator as MSH-1. */
function partIndex(segment: string, n: number, _d: Delimiters): number {
  return isHeaderSegment(segment) ? n - 1 : n;
}

export function getFieldRaw(segment: string, n: number, d: Delimiters): string {
  if (n < 1) return '';
  const isHeader = partIndex(segment, n, d) !== n;
  if (isHeader && n === 1) return d.field;
  return segment.split(d.field)[partIndex(segment, n, d)] ?? '';
}

export function withFieldRaw(segment: string, n: number, raw: string, d: Delimiters): string {
  const parts = segment.split(d.field);
  const at = partIndex(segment, n, d);
  if (at < 1) throw new Error(`cannot set field ${n} of ${segment.slice(0, 3)}`);
  while (parts.length <= at) parts.push('');
  parts[at] = raw;
  return parts.join(d.field);
}
