/**
 * Character sets of HL7 v2 payloads. Bytes are decoded BEFORE fields are split: a GBK/GB 18030
 * trail byte can equal `|`, `^`, `~` or `\` (珅 = AB 7C), see NOTES.md §3.1.
 *
 * MSH-18 is a hint only. Resolution order: per-interface override, else MSH-18 when it names a
 * charset we know, else UTF-8 when the bytes are valid UTF-8, else GB 18030 (a superset of GBK and
 * GB2312, so it also decodes senders that mislabel GBK).
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type Charset = 'utf-8' | 'gb18030' | 'gbk' | 'latin1' | 'ascii';
export const CHARSETS: readonly Charset[] = ['utf-8', 'gb18030', 'gbk', 'latin1', 'ascii'];

export function isCharset(value: string): value is Charset {
  return (CHARSETS as readonly string[]).includes(value);
}

/** HL7 table 0211 names (plus common vendor spellings) → charset. Keys are upper-case, spaces removed. */
const MSH18: Record<string, Charset> = {
  'UNICODEUTF-8': 'utf-8',
  UNICODE: 'utf-8',
  'UTF-8': 'utf-8',
  UTF8: 'utf-8',
  'GB18030-2000': 'gb18030',
  'GB18030-2005': 'gb18030',
  GB18030: 'gb18030',
  GBK: 'gbk',
  GB2312: 'gbk',
  'GB2312-80': 'gbk',
  '8859/1': 'latin1',
  ASCII: 'ascii',
};

/** The table 0211 value we write into MSH-18 when the output charset differs from the input's. */
export const MSH18_NAME: Record<Charset, string> = {
  'utf-8': 'UNICODE UTF-8',
  gb18030: 'GB 18030-2000',
  gbk: 'GBK',
  latin1: '8859/1',
  ascii: 'ASCII',
};

/** MSH-18 spellings already resolved (a feed uses a handful). */
const msh18Seen = new Map<string, Charset | undefined>();

/** Maps an MSH-18 value (first repetition, first component) to a charset; undefined when unknown/empty. */
export function charsetFromMsh18(value: string | undefined): Charset | undefined {
  if (!value) return undefined;
  const known = msh18Seen.get(value);
  if (known !== undefined || msh18Seen.has(value)) return known;
  const key = value.split('~')[0].split('^')[0].toUpperCase().replace(/\s+/g, '');
  const charset = key ? MSH18[key] : undefined;
  if (msh18Seen.size < 256) msh18Seen.set(value, charset); // a feed uses a handful of spellings
  return charset;
}

/**
 * Reads MSH-18 straight from the bytes. Safe before decoding because MSH-1..MSH-17 are ASCII in
 * practice and the separators before MSH-18 are the first bytes of the message (HAPI's
 * ExtendedMinLowerLayerProtocol does the same). Stops at the first segment terminator.
 */
export function sniffMsh18(bytes: Buffer): string | undefined {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3; // UTF-8 BOM
  if (bytes.toString('latin1', start, start + 3) !== 'MSH' || bytes.length < start + 8) return undefined;
  const fieldSep = bytes[start + 3];
  let end = bytes.indexOf(0x0d, start);
  const lf = bytes.indexOf(0x0a, start);
  if (end < 0 || (lf >= 0 && lf < end)) end = lf;
  if (end < 0) end = bytes.length;
  // MSH-1 is the separator itself: the k-th separator (k = 1 at offset 3) precedes MSH-(k+1).
  let k = 1;
  let pos = start + 3;
  while (k < 17) {
    const next = bytes.indexOf(fieldSep, pos + 1);
    if (next < 0 || next >= end) return undefined;
    pos = next;
    k += 1;
  }
  let stop = bytes.indexOf(fieldSep, pos + 1);
  if (stop < 0 || stop > end) stop = end;
  return bytes.toString('latin1', pos + 1, stop);
}

export function isValidUtf8(bytes: Buffer): boolean {
  return isUtf8(bytes);
}

export interface CharsetChoice {
  charset: Charset;
  /** Why this charset was chosen (for logs and the journal note). */
  source: 'override' | 'msh-18' | 'utf-8-valid' | 'fallback';
}

/** Picks the charset of an inbound payload. `override` (per interface) wins; `'auto'` means detect. */
export function chooseCharset(bytes: Buffer, override: Charset | 'auto' = 'auto'): CharsetChoice {
  if (override !== 'auto') return { charset: override, source: 'override' };
  const hinted = charsetFromMsh18(sniffMsh18(bytes));
  if (hinted && hinted !== 'utf-8') return { charset: hinted, source: 'msh-18' };
  const utf8 = isValidUtf8(bytes);
  // A hint only: a sender that labels GBK bytes as UTF-8 (seen in the field) is decoded as GB 18030.
  if (hinted && utf8) return { charset: hinted, source: 'msh-18' };
  if (utf8) return { charset: 'utf-8', source: 'utf-8-valid' };
  return { charset: 'gb18030', source: 'fallback' };
}

// UTF-8 (the common case) goes through Node's own codec: the same result as iconv-lite's utf8
// (invalid bytes become U+FFFD, a leading BOM is dropped) without its stream wrappers.
export function decode(bytes: Buffer, charset: Charset): string {
  if (charset === 'utf-8') {
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return bytes.toString('utf8', bom);
  }
  return iconv.decode(bytes, charset, { stripBOM: true });
}

export function encode(text: string, charset: Charset): Buffer {
  return charset === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, charset);
}
