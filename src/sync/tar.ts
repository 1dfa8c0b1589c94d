/**
 * Minimal POSIX ustar writer and reader (IEEE Std 1003.1, "pax" ustar format), enough for FHIR
 * NPM packages: regular files only, ASCII names. Written here so the package build needs no
 * dependency; gzip comes from node:zlib.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

export interface TarEntry {
  /** Path inside the archive, '/'-separated, ASCII (e.g. `package/package.json`). */
  name: string;
  data: Buffer;
}

const BLOCK = 512;

function writeString(header: Buffer, value: string, offset: number, length: number): void {
  const bytes = Buffer.from(value, 'ascii');
  if (bytes.length > length) throw new RangeError(`tar field too long: ${value}`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  // length-1 octal digits, NUL-terminated.
  writeString(header, value.toString(8).padStart(length - 1, '0'), offset, length - 1);
  header[offset + length - 1] = 0;
}

/** Splits a long path into ustar prefix (≤155) + name (≤100) at a '/'. */
function splitName(path: string): { prefix: string; name: string } {
  if (!/^[\x20-\x7e]+$/.test(path)) throw new RangeError(`tar entry names must be printable ASCII: ${path}`);
  if (path.length <= 100) return { prefix: '', name: path };
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] === '/' && path.length - i - 1 <= 100 && i <= 155) return { prefix: path.slice(0, i), name: path.slice(i + 1) };
  }
  throw new RangeError(`tar entry name too long: ${path}`);
}

function header(entry: TarEntry, mtimeSeconds: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { prefix, name } = splitName(entry.name);
  writeString(h, name, 0, 100);
  writeOctal(h, 0o644, 100, 8);
  writeOctal(h, 0, 108, 8);
  writeOctal(h, 0, 116, 8);
  writeOctal(h, entry.data.length, 124, 12);
  writeOctal(h, mtimeSeconds, 136, 12);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h[156] = 0x30; // '0' regular file
  writeString(h, 'ustar\u0000', 257, 6);
  writeString(h, '00', 263, 2);
  writeString(h, prefix, 345, 155);
  let sum = 0;
  for (const byte of h) sum += byte;
  writeString(h, sum.toString(8).padStart(6, '0'), 148, 6);
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

/** A tar archive of the entries, in the given order, with a fixed mtime (reproducible builds). */
export function createTar(entries: TarEntry[], mtime: Date): Buffer {
  const seconds = Math.floor(mtime.getTime() / 1000);
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry, seconds), entry.data);
    const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

export function createTgz(entries: TarEntry[], mtime: Date): Buffer {
  return gzipSync(createTar(entries, mtime), { level: 9 });
}

function readString(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('ascii');
}

/** Reads the regular files of a tar archive; verifies each header checksum. */
export function readTar(tar: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const h = tar.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) break;
    const stored = parseInt(readString(h, 148, 8).trim(), 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (stored !== sum) throw new Error(`tar header checksum mismatch at offset ${offset}`);
    const size = parseInt(readString(h, 124, 12).trim() || '0', 8);
    const prefix = readString(h, 345, 155);
    const name = readString(h, 0, 100);
    const type = String.fromCharCode(h[156] || 0x30);
    const dataStart = offset + BLOCK;
    if (dataStart + size > tar.length) throw new Error(`tar entry ${name} is truncated`);
    if (type === '0' || type === '\u0000') {
      out.push({ name: prefix ? `${prefix}/${name}` : name, data: Buffer.from(tar.subarray(dataStart, dataStart + size)) });
    }
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

export function readTgz(tgz: Buffer): TarEntry[] {
  return readTar(gunzipSync(tgz));
}
