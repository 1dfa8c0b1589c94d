/**
 * MLLP listener over net or tls. One MllpDecoder per connection; frames of one connection are
 * handled one after the other so that ACKs leave in the order the messages came (pipelined senders
 * match them by MSA-2 anyway). The handler never sees partial frames and cannot crash the process:
 * a throwing handler is logged and the connection keeps working.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { MllpDecoder, encodeFrame } from './codec.js';

export interface ConnectionInfo {
  id: number;
  remoteAddress: string;
  remotePort: number;
}

export interface ListenerOptions {
  host: string;
  port: number;
  tls?: { cert?: Buffer; key?: Buffer; ca?: Buffer; requestCert?: boolean };
  maxFrameBytes: number;
  /** Idle connections are closed after this many ms (0 = never). */
  idleTimeoutMs: number;
  /** Handles one frame payload; returns the reply payload (unframed) or undefined for no reply. */
  onFrame: (payload: Buffer, conn: ConnectionInfo) => Promise<Buffer | undefined>;
  /** An oversize frame: return a NAK payload (when MSH was readable) or undefined to close the connection. */
  onOversize: (head: Buffer, conn: ConnectionInfo) => Buffer | undefined;
}

export interface ListenerCounters {
  connectionsOpened: number;
  connectionsOpen: number;
  frames: number;
  garbageBytes: number;
  oversizeFrames: number;
  handlerErrors: number;
  idleTimeouts: number;
}

export interface ListenerEvents {
  connection: [ConnectionInfo];
  close: [ConnectionInfo];
  garbage: [ConnectionInfo, number];
  oversize: [ConnectionInfo];
  'handler-error': [ConnectionInfo, Error];
  'socket-error': [ConnectionInfo, Error];
}

export class MllpListener extends EventEmitter<ListenerEvents> {
  readonly counters: ListenerCounters = { connectionsOpened: 0, connectionsOpen: 0, frames: 0, garbageBytes: 0, oversizeFrames: 0, handlerErrors: 0, idleTimeouts: 0 };
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private nextId = 1;

  constructor(private readonly options: ListenerOptions) {
    super();
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  async start(): Promise<number> {
    const onSocket = (socket: net.Socket) => this.accept(socket);
    const o = this.options;
    this.server = o.tls ? tls.createServer({ cert: o.tls.cert, key: o.tls.key, ca: o.tls.ca, requestCert: o.tls.requestCert ?? false }, onSocket) : net.createServer(onSocket);
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: o.host, port: o.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return this.port;
  }

  get port(): number {
    const addr = this.server?.address();
    return addr && typeof addr === 'object' ? addr.port : 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const info: ConnectionInfo = { id: this.nextId++, remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 };
    this.sockets.add(socket);
    this.counters.connectionsOpened += 1;
    this.counters.connectionsOpen += 1;
    this.emit('connection', info);
    socket.setNoDelay(true);
    if (this.options.idleTimeoutMs > 0) {
      socket.setTimeout(this.options.idleTimeoutMs, () => {
        this.counters.idleTimeouts += 1;
        socket.destroy();
      });
    }
    const decoder = new MllpDecoder({ maxFrameBytes: this.options.maxFrameBytes });
    let chain: Promise<void> = Promise.resolve();
    const reply = (payload: Buffer | undefined) => {
      if (payload && !socket.destroyed) socket.write(encodeFrame(payload));
    };
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.kind === 'garbage') {
          this.counters.garbageBytes += ev.bytes;
          this.emit('garbage', info, ev.bytes);
        } else if (ev.kind === 'oversize') {
          this.counters.oversizeFrames += 1;
          this.emit('oversize', info);
          const head = ev.head;
          chain = chain.then(() => {
            const nak = this.options.onOversize(head, info);
            if (nak) reply(nak);
            else socket.destroy();
          });
        } else {
          this.counters.frames += 1;
          const payload = ev.payload;
          chain = chain.then(async () => {
            try {
              reply(await this.options.onFrame(payload, info));
            } catch (err) {
              this.counters.handlerErrors += 1;
              this.emit('handler-error', info, err as Error);
            }
          });
        }
      }
    });
    socket.on('error', (err) => this.emit('socket-error', info, err));
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.counters.connectionsOpen -= 1;
      this.emit('close', info);
    });
  }
}
