/**
 * MLLP client with ACK correlation. Every ACK is matched on MSA-2 against the MSH-10 sent; an ACK
 * for an unknown control id is counted and ignored (never attributed to the next message, the data
 * loss described in Mirth issue 1441). On an ACK timeout the connection is destroyed so a late ACK
 * cannot arrive on it (Mirth's fix, NOTES.md §2.3). The connection is opened lazily and re-opened
 * on the next send after any failure; backoff between attempts is the caller's (forwarder's) job.
 * Several sends may be in flight at once (pipelining); the forwarder sends one at a time.
 */
import net from 'node:net';
import tls from 'node:tls';
import { chooseCharset, decode } from '../charset.js';
import { readAck } from '../ack.js';
import { Hl7Message } from '../message.js';
import { MllpDecoder, encodeFrame } from './codec.js';

export interface ClientOptions {
  host: string;
  port: number;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean; servername?: string };
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  maxFrameBytes?: number;
}

export interface AckReply {
  code: string;
  controlId: string;
  text: string;
  raw: Buffer;
}

export type DeliveryFailure = 'connect' | 'timeout' | 'closed';

export class DeliveryError extends Error {
  constructor(
    readonly failure: DeliveryFailure,
    message: string,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

interface Pending {
  resolve: (ack: AckReply) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  socket: net.Socket;
}

export class MllpClient {
  readonly counters = { connects: 0, sent: 0, acked: 0, unmatchedAcks: 0, timeouts: 0 };
  private socket?: net.Socket;
  private connecting?: Promise<net.Socket>;
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: ClientOptions) {}

  get connected(): boolean {
    return !!this.socket && !this.socket.destroyed;
  }

  /** Sends one message payload and resolves with its ACK (matched on MSA-2 = controlId). */
  send(payload: Buffer, controlId: string): Promise<AckReply> {
    // Connected: no extra promise turn per message.
    if (this.socket && !this.socket.destroyed) return this.sendOn(this.socket, payload, controlId);
    return this.connect().then((socket) => this.sendOn(socket, payload, controlId));
  }

  private sendOn(socket: net.Socket, payload: Buffer, controlId: string): Promise<AckReply> {
    if (this.pending.has(controlId)) return Promise.reject(new Error(`a message with control id ${controlId} is already awaiting its ACK`));
    return new Promise<AckReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.counters.timeouts += 1;
        this.pending.delete(controlId);
        reject(new DeliveryError('timeout', `no ACK for ${controlId} within ${this.options.ackTimeoutMs} ms`));
        socket.destroy(); // a late ACK must not be matched to anything sent later
      }, this.options.ackTimeoutMs);
      this.pending.set(controlId, { resolve, reject, timer, socket });
      this.counters.sent += 1;
      socket.write(encodeFrame(payload));
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<net.Socket>((resolve, reject) => {
      const o = this.options;
      const socket = o.tls
        ? tls.connect({ host: o.host, port: o.port, ca: o.tls.ca, cert: o.tls.cert, key: o.tls.key, rejectUnauthorized: o.tls.rejectUnauthorized ?? true, servername: o.tls.servername })
        : net.connect({ host: o.host, port: o.port });
      const readyEvent = o.tls ? 'secureConnect' : 'connect';
      const timer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${o.connectTimeoutMs} ms`)), o.connectTimeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(new DeliveryError('connect', `cannot connect to ${o.host}:${o.port}: ${err.message}`));
      };
      socket.once('error', fail);
      socket.once(readyEvent, () => {
        clearTimeout(timer);
        socket.off('error', fail);
        socket.setNoDelay(true);
        this.counters.connects += 1;
        this.attach(socket);
        this.socket = socket;
        resolve(socket);
      });
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private attach(socket: net.Socket): void {
    const decoder = new MllpDecoder({ maxFrameBytes: this.options.maxFrameBytes ?? 16 * 1024 * 1024 });
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) if (ev.kind === 'frame') this.onAck(ev.payload);
    });
    socket.on('error', () => undefined); // 'close' follows and fails the pending sends
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      for (const [id, p] of this.pending) {
        if (p.socket !== socket) continue;
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.reject(new DeliveryError('closed', `connection closed before the ACK for ${id}`));
      }
    });
  }

  private onAck(raw: Buffer): void {
    let ack: { code: string; controlId: string; text: string };
    try {
      ack = readAck(Hl7Message.parse(decode(raw, chooseCharset(raw).charset)));
    } catch {
      this.counters.unmatchedAcks += 1;
      return;
    }
    const p = this.pending.get(ack.controlId);
    if (!p) {
      this.counters.unmatchedAcks += 1;
      return;
    }
    this.pending.delete(ack.controlId);
    clearTimeout(p.timer);
    this.counters.acked += 1;
    p.resolve({ ...ack, raw });
  }
}
