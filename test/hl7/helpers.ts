/**
 * Test peers written independently of the code under test: a raw MLLP downstream that records what
 * it receives and answers with a configurable ACK, and a raw sender that writes exact bytes.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import type { OrderCodeResolution, OrderCodeResolver, OrderCodeQuery } from '../../src/hl7/resolver.js';

export const VT = '\x0b';
export const FS_CR = '\x1c\r';
/** Synthetic sample orders, copied from ../shared/hl7/samples so the repo's tests stand alone. */
export const SAMPLES = new URL('../fixtures/hl7/', import.meta.url).pathname;

export function sample(name: string): Buffer {
  return readFileSync(SAMPLES + name);
}

export function frame(payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from([0x0b]), body, Buffer.from([0x1c, 0x0d])]);
}

/** Splits a byte stream into MLLP payloads (independent minimal decoder for assertions). */
export class FrameCollector {
  private buf = Buffer.alloc(0);
  readonly frames: Buffer[] = [];
  push(chunk: Buffer): Buffer[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const start = this.buf.indexOf(0x0b);
      if (start < 0) break;
      let end = -1;
      for (let i = start + 1; i < this.buf.length - 1; i++) if (this.buf[i] === 0x1c && this.buf[i + 1] === 0x0d) { end = i; break; }
      if (end < 0) break;
      out.push(this.buf.subarray(start + 1, end));
      this.buf = this.buf.subarray(end + 2);
    }
    this.frames.push(...out);
    return out;
  }
}

export function field(segment: string, n: number): string {
  const parts = segment.split('|');
  return segment.startsWith('MSH') ? (n === 1 ? '|' : parts[n - 1] ?? '') : parts[n] ?? '';
}

export function segments(text: string): string[] {
  return text.split('\r').filter((s) => s !== '');
}

/** A downstream MLLP receiver. `respond` decides the ACK code per message (default AA). */
export class Downstream {
  readonly received: Buffer[] = [];
  server?: net.Server;
  private sockets = new Set<net.Socket>();
  respond: (payload: Buffer, index: number) => string | 'silent' = () => 'AA';
  port = 0;

  async start(port = 0): Promise<number> {
    this.server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      const collector = new FrameCollector();
      socket.on('data', (chunk) => {
        for (const payload of collector.push(chunk)) {
          const index = this.received.length;
          this.received.push(Buffer.from(payload));
          const code = this.respond(payload, index);
          if (code === 'silent') continue;
          const text = payload.toString('latin1');
          const msh = text.split('\r')[0];
          const controlId = field(msh, 10);
          socket.write(frame(Buffer.from(`MSH|^~\\&|RIS|IMG|GW|GW|20260101000000||ACK^O01|D${index}|P|2.4\rMSA|${code}|${controlId}\r`, 'latin1')));
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = undefined;
  }

  /** Decoded MSH-10 of every received message. */
  controlIds(): string[] {
    return this.received.map((b) => field(b.toString('latin1').split('\r')[0], 10));
  }
}

/** A raw sender: writes exact bytes and collects reply frames. */
export class RawSender {
  readonly socket: net.Socket;
  readonly collector = new FrameCollector();
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (c) => {
      this.collector.push(c);
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RawSender> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
    return new RawSender(socket);
  }

  write(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  }

  /** Waits until at least `n` reply frames arrived (or the socket closed). */
  async replies(n: number, timeoutMs = 10_000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.collector.frames.length < n && !this.closed) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} replies (got ${this.collector.frames.length})`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
    return this.collector.frames.slice(0, n);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Resolver from a fixed table: local code → standard code. */
export class TableResolver implements OrderCodeResolver {
  readonly queries: OrderCodeQuery[] = [];
  constructor(public table: Record<string, { code: string; display: string }>) {}
  async resolve(q: OrderCodeQuery): Promise<OrderCodeResolution> {
    this.queries.push(q);
    const hit = this.table[q.code];
    if (!hit) return { kind: 'unmapped', reason: `no map for ${q.code}` };
    return { kind: 'mapped', ...hit, system: 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item', via: 'conceptmap' };
  }
}

export function gbk(text: string): Buffer {
  return iconv.encode(text, 'gb18030');
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A small ORM^O01 (UTF-8) with `obrs` ORC/OBR groups. */
export function orm(controlId: string, opts: { version?: string; obrs?: Array<[string, string]>; msh15?: string; msh16?: string; sender?: string; extraPid?: string } = {}): string {
  const obrs = opts.obrs ?? [['CT0012', '胸部CT平扫']];
  const segs = [
    `MSH|^~\\&|${opts.sender ?? 'HIS'}|NCDYFY|RIS|IMGCENTER|20261123103000||ORM^O01|${controlId}|P|${opts.version ?? '2.4'}|||${opts.msh15 ?? ''}|${opts.msh16 ?? ''}`,
    `PID|1||P001^^^NCDYFY^MR||${opts.extraPid ?? '张^三'}||19800101|M`,
  ];
  obrs.forEach(([code, text], i) => {
    segs.push(`ORC|NW|ORD${controlId}-${i + 1}^HIS`);
    segs.push(`OBR|${i + 1}|ORD${controlId}-${i + 1}^HIS||${code}^${text}^L|||20261123103000||||||||||||||||CT`);
  });
  return segs.join('\r') + '\r';
}
