/**
 * MLLP framing on raw bytes (HL7 v2 MLLP Release 1): `<VT> message <FS><CR>`.
 *
 * One decoder per connection. It never decodes text (the charset is only known after framing, see
 * NOTES.md §2.1): VT, FS and CR are single bytes in UTF-8, GBK and GB 18030 alike and never occur as
 * trail bytes, so byte-level framing is safe for every charset we accept.
 */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

export type DecoderEvent =
  | { kind: 'frame'; payload: Buffer }
  /** The frame grew past maxFrameBytes; `head` is its first bytes (enough to read MSH for a NAK). */
  | { kind: 'oversize'; head: Buffer }
  /** Bytes outside a frame (before VT or between frames) were skipped. */
  | { kind: 'garbage'; bytes: number };

export interface DecoderOptions {
  /** Largest accepted payload (between VT and FS CR). */
  maxFrameBytes: number;
  /** How many leading bytes of an oversize frame are kept for the NAK (MSH only needs a few hundred). */
  headBytes?: number;
}

type State = 'seek' | 'frame' | 'frame-fs' | 'discard' | 'discard-fs';

/**
 * Incremental MLLP decoder. Feed it chunks with `push`; it returns the events the chunk completed,
 * in order. Handles frames split anywhere (even between FS and CR), several frames per chunk, bytes
 * between frames, a VT inside a frame (the partial frame is dropped as garbage and a new one starts),
 * and oversize frames (reported once, then skipped up to their FS CR).
 */
export class MllpDecoder {
  private state: State = 'seek';
  private parts: Buffer[] = [];
  private size = 0;
  private garbage = 0;
  private readonly headBytes: number;

  constructor(private readonly options: DecoderOptions) {
    this.headBytes = options.headBytes ?? 4096;
  }

  /** Bytes currently buffered for an unfinished frame. */
  get buffered(): number {
    return this.size;
  }

  push(chunk: Buffer): DecoderEvent[] {
    const events: DecoderEvent[] = [];
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case 'seek': {
          const vt = chunk.indexOf(VT, i);
          const end = vt < 0 ? chunk.length : vt;
          this.garbage += end - i;
          if (vt < 0) {
            i = chunk.length;
          } else {
            this.flushGarbage(events);
            this.state = 'frame';
            i = vt + 1;
          }
          break;
        }
        case 'frame': {
          i = this.scanFrame(chunk, i, events);
          break;
        }
        case 'frame-fs': {
          // Previous chunk ended in FS: this byte decides whether the frame ended.
          if (chunk[i] === CR) {
            i += 1;
            this.emitFrame(events);
          } else if (chunk[i] === VT) {
            this.emitFrame(events); // FS without CR, next frame follows (see scanFrame)
          } else {
            // A lone FS inside the payload: keep it as data and continue.
            this.state = 'frame';
            this.append(Buffer.from([FS]), events);
          }
          break;
        }
        case 'discard': {
          const fs = chunk.indexOf(FS, i);
          if (fs < 0) {
            i = chunk.length;
          } else if (fs + 1 < chunk.length) {
            i = fs + 1;
            if (chunk[i] === CR) {
              i += 1;
              this.state = 'seek';
            }
          } else {
            i = chunk.length;
            this.state = 'discard-fs';
          }
          break;
        }
        case 'discard-fs': {
          if (chunk[i] === CR) {
            i += 1;
            this.state = 'seek';
          } else {
            this.state = 'discard';
          }
          break;
        }
      }
    }
    if (this.state === 'seek') this.flushGarbage(events);
    return events;
  }

  /** Scans payload bytes from `start`; returns where scanning stopped. */
  private scanFrame(chunk: Buffer, start: number, events: DecoderEvent[]): number {
    // memchr-speed searches instead of a byte loop: the payload is most of the traffic.
    const fsAt = chunk.indexOf(FS, start);
    const end = fsAt < 0 ? chunk.length : fsAt;
    const vtAt = chunk.subarray(start, end).indexOf(VT);
    if (vtAt >= 0) {
      // A new frame starts before the old one ended: the old one is lost garbage.
      this.garbage += this.size + vtAt;
      this.parts = [];
      this.size = 0;
      this.flushGarbage(events);
      return start + vtAt + 1;
    }
    if (fsAt < 0) {
      this.append(chunk.subarray(start), events);
      return chunk.length;
    }
    const i = fsAt;
    this.append(chunk.subarray(start, i), events);
    if (this.state !== 'frame') return i; // became oversize: let 'discard' consume this FS CR
    if (i + 1 >= chunk.length) {
      this.state = 'frame-fs';
      return i + 1;
    }
    if (chunk[i + 1] === CR) {
      this.emitFrame(events);
      return i + 2;
    }
    if (chunk[i + 1] === VT) {
      // Lenient: a sender that omits the CR after FS; the next frame's VT ends this one.
      this.emitFrame(events);
      return i + 1;
    }
    // Lone FS: part of the payload.
    this.append(Buffer.from([FS]), events);
    return i + 1;
  }

  private append(bytes: Buffer, events: DecoderEvent[]): void {
    if (bytes.length === 0) return;
    if (this.size + bytes.length > this.options.maxFrameBytes) {
      const head = Buffer.concat([...this.parts, bytes]).subarray(0, this.headBytes);
      events.push({ kind: 'oversize', head: Buffer.from(head) });
      this.parts = [];
      this.size = 0;
      this.state = 'discard';
      return;
    }
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private emitFrame(events: DecoderEvent[]): void {
    const payload = this.parts.length === 1 ? Buffer.from(this.parts[0]) : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    this.state = 'seek';
    events.push({ kind: 'frame', payload });
  }

  private flushGarbage(events: DecoderEvent[]): void {
    if (this.garbage > 0) {
      events.push({ kind: 'garbage', bytes: this.garbage });
      this.garbage = 0;
    }
  }
}

/** Wraps a payload in an MLLP frame. */
export function encodeFrame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 3);
  out[0] = VT;
  payload.copy(out, 1);
  out[payload.length + 1] = FS;
  out[payload.length + 2] = CR;
  return out;
}
