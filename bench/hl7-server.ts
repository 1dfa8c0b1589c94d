/**
 * Child process for bench/hl7.ts. `echo` mode: a raw MLLP server (our listener) that answers every
 * frame with an AA for its MSH-10 at once — the transport baseline. `gateway` mode: the full gateway
 * (durable SQLite journal in DATA_DIR, rewrite, forwarding to ECHO_PORT). `floor` mode: not a
 * gateway but the least work any durable store-and-forward gateway on Node must do per message
 * here (see floorServer). Prints `LISTENING <port>`.
 */
import net from 'node:net';
import { fdatasync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MllpListener } from '../src/hl7/mllp/listener.js';
import { parseHl7Config } from '../src/hl7/config.js';
import { Hl7Gateway } from '../src/hl7/gateway.js';
import { createStore } from '../src/store/index.js';
import { silentLogger } from '../src/logger.js';
import { createOrderCodeResolver } from '../src/hl7/resolver.js';

const mode = process.argv[2];
if (mode === 'echo') {
  const listener = new MllpListener({
    host: '127.0.0.1',
    port: 0,
    maxFrameBytes: 1 << 20,
    idleTimeoutMs: 0,
    onOversize: () => undefined,
    onFrame: async (payload) => {
      const msh = payload.toString('latin1', 0, Math.min(payload.length, 512)).split('\r')[0].split('|');
      return Buffer.from(`MSH|^~\\&|ECHO|E|${msh[2] ?? ''}|${msh[3] ?? ''}|20260101000000||ACK^O01^ACK|E${msh[9]}|P|2.4\rMSA|AA|${msh[9] ?? ''}\r`, 'latin1');
    },
  });
  process.stdout.write(`LISTENING ${await listener.start()}\n`);
  process.on('message', (m) => {
    if (m === 'cpu') process.send!(process.cpuUsage());
  });
} else if (mode === 'floor') {
  process.stdout.write(`LISTENING ${await floorServer(process.env.DATA_DIR!, Number(process.env.ECHO_PORT))}\n`);
  process.on('message', (m) => {
    if (m === 'cpu') process.send!(process.cpuUsage());
    if (m === 'stats') process.send!({ ...floorStats, queueDepth: floorStats.queued - floorStats.forwarded, groupCommit: { largestBatch: floorStats.largestBatch } });
  });
} else {
  const store = await createStore({ dataDir: process.env.DATA_DIR! });
  const config = parseHl7Config({ listeners: [{ name: 'bench', host: '127.0.0.1', port: 0, route: 'echo' }], routes: [{ name: 'echo', host: '127.0.0.1', port: Number(process.env.ECHO_PORT), connectTimeoutMs: 1000 }] }, {})!;
  const table: Record<string, { code: string; display: string; system: string }> = { CT0012: { code: '20050101110000', display: 'CT胸部(平扫)', system: 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item' } };
  const resolver = createOrderCodeResolver({ conceptMap: async (q) => table[q.code], standardSystem: 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item' });
  const gateway = new Hl7Gateway({ config, journal: store.journal, resolver, logger: silentLogger, unmappedHistoryDays: 0 });
  await gateway.start();
  process.stdout.write(`LISTENING ${gateway.port('bench')}\n`);
  process.on('message', async (m) => {
    if (m === 'stats') process.send!(await gateway.stats());
    if (m === 'cpu') process.send!(process.cpuUsage());
    if (m === 'exit') {
      // graceful end (writes a --cpu-prof profile): stop the gateway, flush the store
      await gateway.stop();
      await store.close();
      process.exit(0);
    }
  });
}

const floorStats = { queued: 0, forwarded: 0, flushes: 0, largestBatch: 0 };

/**
 * The floor: the syscalls a durable store-and-forward gateway cannot avoid, with nothing else. Frames
 * are cut on FS CR and their MSH-10 read by scanning bytes; the frames of one I/O turn are written
 * to a preallocated file in one write and made durable by one fdatasync (group commit); then each gets its AA
 * and joins an in-memory queue that one downstream connection drains one message at a time (ordered forwarding). No charset decoding, no
 * parsing, no rewrite, no duplicate check, no timers, no SQLite, no delivered marks, no recovery: a
 * measurement of this machine, not a product. Its figure bounds what any implementation on one Node
 * event loop could reach here.
 */
async function floorServer(dataDir: string, downstreamPort: number): Promise<number> {
  // Preallocated and overwritten, as SQLite reuses its WAL: an fdatasync then has no file size to
  // commit (measured here: p50 230–260 µs against 360–410 µs for appends to a growing file).
  const fd = openSync(join(dataDir, 'floor.log'), 'w');
  const logBytes = 64 << 20;
  for (let at = 0; at < logBytes; at += 1 << 20) writeSync(fd, Buffer.alloc(1 << 20));
  fdatasyncSync(fd);
  let logAt = 0;
  const frame = (payload: Buffer) => Buffer.concat([Buffer.from([0x0b]), payload, Buffer.from([0x1c, 0x0d])]);
  const controlId = (payload: Buffer): string => {
    let at = 0;
    for (let bars = 0; bars < 9; bars++) at = payload.indexOf(0x7c, at) + 1;
    return payload.toString('latin1', at, payload.indexOf(0x7c, at));
  };
  const ack = (id: string) => frame(Buffer.from(`MSH|^~\\&|GW|GW|HIS|H|20260101000000||ACK^O01^ACK|A${id}|P|2.4\rMSA|AA|${id}\r`, 'latin1'));

  const downstream = net.connect({ host: '127.0.0.1', port: downstreamPort });
  await new Promise((r) => downstream.once('connect', r));
  downstream.setNoDelay(true);
  const outbox: Buffer[] = [];
  let outboxHead = 0;
  let onWire = false;
  const pump = () => {
    if (onWire || outboxHead >= outbox.length) return;
    onWire = true;
    downstream.write(outbox[outboxHead++]!);
    if (outboxHead > 4096) {
      outbox.splice(0, outboxHead);
      outboxHead = 0;
    }
  };
  downstream.on('data', (chunk: Buffer) => {
    // lock-step: at most one ACK per chunk is outstanding; count the frames it ends
    for (let i = chunk.indexOf(0x1c); i >= 0; i = chunk.indexOf(0x1c, i + 1)) {
      floorStats.forwarded += 1;
      onWire = false;
    }
    pump();
  });

  // Every frame that arrived in one I/O turn is appended with one write (page cache, on the loop)
  // and made durable by one fdatasync on the thread pool. Flushes overlap: a batch does not wait for
  // the previous flush (that would add a whole flush to every message arriving during one); an
  // fdatasync covers every earlier write, so a batch's ACKs go out when its own flush is done.
  let waiting: Array<{ socket: net.Socket; payload: Buffer }> = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = waiting;
    waiting = [];
    floorStats.flushes += 1;
    floorStats.largestBatch = Math.max(floorStats.largestBatch, batch.length);
    const bytes = batch.length === 1 ? batch[0]!.payload : Buffer.concat(batch.map((b) => b.payload));
    if (logAt + bytes.length > logBytes) logAt = 0;
    writeSync(fd, bytes, 0, bytes.length, logAt);
    logAt += bytes.length;
    fdatasync(fd, (err) => {
      if (err) throw err;
      for (const b of batch) {
        b.socket.write(ack(controlId(b.payload)));
        outbox.push(frame(b.payload));
        floorStats.queued += 1;
      }
      pump();
    });
  };
  const enqueue = (socket: net.Socket, payload: Buffer) => {
    waiting.push({ socket, payload });
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let rest: Buffer | undefined;
    socket.on('data', (chunk: Buffer) => {
      const data = rest ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let fs = data.indexOf(0x1c); fs >= 0 && fs + 1 < data.length; fs = data.indexOf(0x1c, start)) {
        enqueue(socket, data.subarray(data.indexOf(0x0b, start) + 1, fs));
        start = fs + 2;
      }
      rest = start < data.length ? data.subarray(start) : undefined;
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}
