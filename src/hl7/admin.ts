/**
 * Operator functions behind the HTTP admin routes and the CLI: stats, message list and detail,
 * replay (one message or a time range), release of held messages (re-running the rewrite with the
 * current maps), and the unmapped-codes review list.
 */
import type { Hl7Journal, JournalEntry, JournalQuery, JournalState } from '../store/store.js';
import { chooseCharset, decode, encode, MSH18_NAME } from './charset.js';
import { escapeValue } from './escape.js';
import type { GatewayStats, Hl7Gateway } from './gateway.js';
import { Hl7Message } from './message.js';
import { rewriteOrderCodes } from './rewrite.js';
import type { UnmappedCode } from './unmapped.js';

export interface MessageSummary {
  id: number;
  route: string;
  sender: string;
  controlId: string;
  messageType: string;
  state: JournalState;
  receivedAt: string;
  updatedAt: string;
  attempts: number;
  lastError?: string;
  note?: string;
}

export interface MessageDetail extends MessageSummary {
  inbound?: string;
  outbound?: string;
}

export type ReplaySelector = { id: number } | { route?: string; from?: string; to?: string; states?: JournalState[] };

export class Hl7Admin {
  constructor(private readonly o: { journal: Hl7Journal; gateway: Hl7Gateway }) {}

  stats(): Promise<GatewayStats> {
    return this.o.gateway.stats();
  }

  async list(query: JournalQuery): Promise<MessageSummary[]> {
    return (await this.o.journal.list({ ...query, limit: Math.min(query.limit ?? 100, 1000) })).map(summary);
  }

  /** One message; with `body` the inbound/outbound text (patient data: admin only, never logged). */
  async get(id: number, body = false): Promise<MessageDetail | undefined> {
    const e = await this.o.journal.get(id);
    if (!e) return undefined;
    if (!body) return summary(e);
    const text = (b?: Buffer) => (b ? decode(b, chooseCharset(b).charset) : undefined);
    return { ...summary(e), inbound: text(e.inbound), outbound: text(e.outbound) };
  }

  /** Re-queues delivered or dead messages (one, or a route/time range) for delivery again. */
  async replay(sel: ReplaySelector): Promise<number[]> {
    const allowed: JournalState[] = 'id' in sel ? ['delivered', 'dead'] : (sel.states ?? ['delivered', 'dead']);
    const entries = 'id' in sel ? [await this.o.journal.get(sel.id)].filter((e): e is JournalEntry => !!e) : await this.listAll({ route: sel.route, from: sel.from, to: sel.to });
    const ids: number[] = [];
    for (const e of entries) {
      if (!allowed.includes(e.state)) continue;
      await this.o.journal.setState(e.id, 'queued', { note: appendNote(e.note, `replayed ${new Date().toISOString()}`) });
      ids.push(e.id);
      this.o.gateway.wake(e.route);
    }
    this.o.gateway.logger.info({ count: ids.length, first: ids[0] }, 'hl7 replay');
    return ids;
  }

  /**
   * Releases held messages (one, or all of a route): the rewrite runs again on the inbound bytes with
   * the current maps (so a ConceptMap fixed meanwhile applies); codes still unmapped go out as received.
   */
  async release(sel: { id: number } | { route?: string }): Promise<Array<{ id: number; stillUnmapped: number }>> {
    const entries = 'id' in sel ? [await this.o.journal.get(sel.id)].filter((e): e is JournalEntry => !!e) : await this.listAll({ route: sel.route, state: 'held' });
    const out: Array<{ id: number; stillUnmapped: number }> = [];
    for (const e of entries) {
      if (e.state !== 'held') continue;
      const { outbound, stillUnmapped } = await this.rewriteAgain(e);
      await this.o.journal.setState(e.id, 'queued', { outbound, note: appendNote(e.note, `released ${new Date().toISOString()}; still unmapped: ${stillUnmapped}`) });
      out.push({ id: e.id, stillUnmapped });
      this.o.gateway.wake(e.route);
    }
    this.o.gateway.logger.info({ count: out.length }, 'hl7 release');
    return out;
  }

  unmapped(filter: { sender?: string; route?: string } = {}): UnmappedCode[] {
    return this.o.gateway.unmapped.list(filter);
  }

  /** Rebuilds the unmapped list from journal notes of the last `days` days. */
  async rebuildUnmapped(days: number): Promise<void> {
    if (days <= 0) return;
    const from = new Date(Date.now() - days * 86_400_000).toISOString();
    for (const e of await this.listAll({ from })) {
      if (!e.note?.startsWith('{')) continue;
      let parsed: { obr?: Array<{ local?: string; text?: string; system?: string; unmapped?: string }> };
      try {
        parsed = JSON.parse(e.note.split('\n')[0]);
      } catch {
        continue;
      }
      for (const o of parsed.obr ?? []) {
        if (o.unmapped) this.o.gateway.unmapped.record({ sender: e.sender, route: e.route, code: o.local ?? '', text: o.text ?? '', codingSystem: o.system ?? '', reason: o.unmapped, at: e.receivedAt, messageId: e.id });
      }
    }
  }

  private async listAll(query: JournalQuery): Promise<JournalEntry[]> {
    const all: JournalEntry[] = [];
    let afterId = 0;
    for (;;) {
      const page = await this.o.journal.list({ ...query, afterId, limit: 1000 });
      all.push(...page);
      if (page.length < 1000) return all;
      afterId = page[page.length - 1].id;
    }
  }

  private async rewriteAgain(e: JournalEntry): Promise<{ outbound: Buffer; stillUnmapped: number }> {
    const g = this.o.gateway;
    const route = g.config.routes.find((r) => r.name === e.route);
    const listener = g.config.listeners.find((l) => l.route === e.route);
    if (!route || !listener) return { outbound: e.outbound ?? e.inbound, stillUnmapped: 0 };
    const { charset } = chooseCharset(e.inbound, listener.charset);
    const msg = Hl7Message.parse(decode(e.inbound, charset));
    const result = await rewriteOrderCodes(msg, { resolver: g.resolver, sender: e.sender, codingSystemId: route.codingSystemId, extensionCodingSystemIds: route.extensionCodingSystemIds, localCodePlacement: route.localCodePlacement, zSegmentId: route.zSegmentId });
    const outCharset = route.charset === 'same' ? charset : route.charset;
    if (outCharset !== charset && msg.fieldRaw(0, 18)) msg.setFieldRaw(0, 18, escapeValue(MSH18_NAME[outCharset], msg.delimiters));
    const stillUnmapped = result.outcomes.filter((o) => o.result.kind === 'unmapped').length;
    return { outbound: encode(msg.toString(), outCharset), stillUnmapped };
  }
}

function summary(e: JournalEntry): MessageSummary {
  return { id: e.id, route: e.route, sender: e.sender, controlId: e.controlId, messageType: e.messageType, state: e.state, receivedAt: e.receivedAt, updatedAt: e.updatedAt, attempts: e.attempts, lastError: e.lastError, note: e.note };
}

function appendNote(note: string | undefined, line: string): string {
  return note ? `${note}\n${line}` : line;
}
