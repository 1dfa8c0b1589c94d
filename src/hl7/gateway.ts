/**
 * The HL7 v2 gateway: listeners → inbound handling → journal → one forwarder per route.
 * Composed by src/main.ts with the store's Hl7Journal and an OrderCodeResolver.
 */
import type { Logger } from '../logger.js';
import type { Hl7Journal } from '../store/store.js';
import { readTls, type Hl7Config, type RouteConfig } from './config.js';
import { RouteForwarder, type Settlement } from './forwarder.js';
import { GroupCommitter } from './group-commit.js';
import { DuplicateWindow } from './duplicates.js';
import { emptyCounters, handleInbound, oversizeReply, type GatewayCounters } from './inbound.js';
import { MllpClient } from './mllp/client.js';
import { MllpListener, type ListenerCounters } from './mllp/listener.js';
import type { OrderCodeResolver } from './resolver.js';
import { UnmappedRegistry } from './unmapped.js';
import { Hl7Admin } from './admin.js';

export interface GatewayOptions {
  config: Hl7Config;
  journal: Hl7Journal;
  resolver: OrderCodeResolver;
  logger: Logger;
  /** Rebuild the unmapped-codes list from journal notes of the last N days at start (default 30; 0 = off). */
  unmappedHistoryDays?: number;
}

export interface GatewayStats extends GatewayCounters {
  queueDepth: number;
  heldNow: number;
  deadNow: number;
  routes: Array<{ route: string; queued: number; held: number; dead: number; delivered: number; currentId?: number; currentAttempts?: number; lastError?: string; connected: boolean }>;
  listeners: Array<{ name: string; port: number } & ListenerCounters>;
  groupCommit: { commits: number; messages: number; largestBatch: number };
}

export class Hl7Gateway {
  readonly counters: GatewayCounters = emptyCounters();
  readonly unmapped = new UnmappedRegistry();
  readonly admin: Hl7Admin;
  private readonly listeners = new Map<string, MllpListener>();
  private readonly forwarders = new Map<string, RouteForwarder>();
  private readonly clients = new Map<string, MllpClient>();
  private readonly committer: GroupCommitter;
  private readonly waiters = new Map<number, (s: Settlement) => void>();
  private readonly duplicates: DuplicateWindow;

  constructor(private readonly o: GatewayOptions) {
    this.committer = new GroupCommitter(o.journal);
    this.duplicates = new DuplicateWindow({ journal: o.journal, windowMs: o.config.duplicateWindowMs });
    this.admin = new Hl7Admin({ journal: o.journal, gateway: this });
  }

  get config(): Hl7Config {
    return this.o.config;
  }
  get resolver(): OrderCodeResolver {
    return this.o.resolver;
  }
  get logger(): Logger {
    return this.o.logger;
  }

  /** Starts forwarders (resuming whatever the journal still has queued) and listeners. */
  async start(): Promise<void> {
    for (const route of this.o.config.routes) this.startForwarder(route);
    await this.duplicates.load().catch((err: Error) => this.o.logger.warn({ err: err.message }, 'hl7 could not load the duplicate window; the journal answers per message'));
    await this.admin.rebuildUnmapped(this.o.unmappedHistoryDays ?? 30).catch((err: Error) => this.o.logger.warn({ err: err.message }, 'hl7 could not rebuild the unmapped-codes list'));
    for (const l of this.o.config.listeners) {
      const route = this.routeConfig(l.route);
      const tls = readTls(`hl7.listeners.${l.name}.tls`, l.tls);
      const listener = new MllpListener({
        host: l.host,
        port: l.port,
        tls: tls ? { ...tls, requestCert: l.tls?.requestCert } : undefined,
        maxFrameBytes: l.maxFrameBytes,
        idleTimeoutMs: l.idleTimeoutMs,
        onOversize: (head) => oversizeReply(head, l),
        onFrame: (payload) =>
          handleInbound(payload, {
            listener: l,
            route,
            resolver: this.o.resolver,
            committer: this.committer,
            counters: this.counters,
            unmapped: this.unmapped,
            logger: this.o.logger,
            duplicateWindowMs: this.o.config.duplicateWindowMs,
            findOriginal: (s, id) => this.duplicates.originalOf(s, id),
            claim: (s, id) => this.duplicates.claim(s, id),
            forward: (entry) => this.forwarders.get(entry.route)?.offer(entry),
            awaitSettlement: (id, ms) => this.awaitSettlement(id, ms),
          }),
      });
      listener.on('handler-error', (c, err) => this.o.logger.error({ listener: l.name, conn: c.id, err: err.message }, 'hl7 handler error'));
      listener.on('oversize', (c) => this.o.logger.warn({ listener: l.name, conn: c.id, maxFrameBytes: l.maxFrameBytes }, 'hl7 oversize frame'));
      listener.on('garbage', (c, bytes) => this.o.logger.warn({ listener: l.name, conn: c.id, bytes }, 'hl7 bytes outside MLLP frames skipped'));
      const port = await listener.start();
      this.listeners.set(l.name, listener);
      this.o.logger.info({ listener: l.name, host: l.host, port, route: l.route, tls: !!l.tls }, 'hl7 MLLP listener started');
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((l) => l.close()));
    await Promise.all([...this.forwarders.values()].map((f) => f.stop()));
    this.listeners.clear();
    this.forwarders.clear();
  }

  /** Bound port of a listener (after start). */
  port(listener: string): number {
    return this.listeners.get(listener)?.port ?? 0;
  }

  wake(route: string): void {
    this.forwarders.get(route)?.wake();
  }

  async stats(): Promise<GatewayStats> {
    const counts = await this.o.journal.counts();
    const per = (route: string, state: string) => counts.find((c) => c.route === route && c.state === state)?.count ?? 0;
    const routes = this.o.config.routes.map((r) => {
      const cur = this.forwarders.get(r.name)?.current;
      return { route: r.name, queued: per(r.name, 'queued'), held: per(r.name, 'held'), dead: per(r.name, 'dead'), delivered: per(r.name, 'delivered'), currentId: cur?.id, currentAttempts: cur?.attempts, lastError: cur?.lastError, connected: this.clients.get(r.name)?.connected ?? false };
    });
    const sum = (state: string) => counts.filter((c) => c.state === state).reduce((n, c) => n + c.count, 0);
    return {
      ...this.counters,
      queueDepth: sum('queued'),
      heldNow: sum('held'),
      deadNow: sum('dead'),
      routes,
      listeners: [...this.listeners.entries()].map(([name, l]) => ({ name, port: l.port, ...l.counters })),
      groupCommit: { ...this.committer.counters },
    };
  }

  private routeConfig(name: string): RouteConfig {
    const route = this.o.config.routes.find((r) => r.name === name);
    if (!route) throw new Error(`hl7 route ${name} is not configured`);
    return route;
  }

  private startForwarder(route: RouteConfig): void {
    const tls = readTls(`hl7.routes.${route.name}.tls`, route.tls);
    const client = new MllpClient({
      host: route.host,
      port: route.port,
      connectTimeoutMs: route.connectTimeoutMs,
      ackTimeoutMs: route.ackTimeoutMs,
      tls: route.tls ? { ...tls, rejectUnauthorized: route.tls.rejectUnauthorized } : undefined,
    });
    const forwarder = new RouteForwarder({
      route,
      journal: this.o.journal,
      client,
      logger: this.o.logger,
      counters: this.counters,
      onSettled: (id, s) => {
        const waiter = this.waiters.get(id);
        if (waiter) {
          this.waiters.delete(id);
          waiter(s);
        }
      },
    });
    this.clients.set(route.name, client);
    this.forwarders.set(route.name, forwarder);
    forwarder.start();
  }

  private awaitSettlement(id: number, timeoutMs: number): Promise<Settlement | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(id, (s) => {
        clearTimeout(timer);
        resolve(s);
      });
    });
  }
}
