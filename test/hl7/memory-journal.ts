/** An in-memory Hl7Journal for fast tests (the durability tests use the real SQLite store). */
import type { Hl7Journal, JournalAppend, JournalEntry, JournalQuery, JournalState } from '../../src/store/store.js';

export class MemoryJournal implements Hl7Journal {
  readonly entries = new Map<number, JournalEntry>();
  private nextId = 1;
  appendCalls = 0;
  /** When set, append rejects with this error (journal down). */
  failAppends?: Error;

  /** When set, appends wait for it before succeeding or failing (a slow group commit). */
  gate?: Promise<void>;

  async append(messages: JournalAppend[]): Promise<JournalEntry[]> {
    if (this.gate) await this.gate;
    if (this.failAppends) throw this.failAppends;
    this.appendCalls += 1;
    const now = new Date().toISOString();
    return messages.map((m) => {
      const e: JournalEntry = { ...m, id: this.nextId++, receivedAt: now, updatedAt: now, attempts: 0 };
      this.entries.set(e.id, e);
      return { ...e };
    });
  }
  async findDuplicate(sender: string, controlId: string, since: string): Promise<number | undefined> {
    for (const e of this.entries.values()) if (e.sender === sender && e.controlId === controlId && e.receivedAt >= since) return e.id;
    return undefined;
  }
  async recentKeys(since: string): Promise<Array<{ id: number; sender: string; controlId: string; receivedAt: string }>> {
    return [...this.entries.values()].filter((e) => e.receivedAt >= since).map((e) => ({ id: e.id, sender: e.sender, controlId: e.controlId, receivedAt: e.receivedAt }));
  }
  async pending(route: string, limit: number): Promise<JournalEntry[]> {
    return [...this.entries.values()].filter((e) => e.route === route && e.state === 'queued').sort((a, b) => a.id - b.id).slice(0, limit).map((e) => ({ ...e }));
  }
  async markDelivered(id: number): Promise<void> {
    this.update(id, { state: 'delivered', attempts: this.must(id).attempts + 1, lastError: undefined });
  }
  async markFailed(id: number, error: string, options: { dead?: boolean } = {}): Promise<void> {
    const e = this.must(id);
    this.update(id, { state: options.dead ? 'dead' : e.state, attempts: e.attempts + 1, lastError: error });
  }
  async setState(id: number, state: JournalState, options: { outbound?: Buffer; note?: string } = {}): Promise<void> {
    this.update(id, { state, ...(options.outbound ? { outbound: options.outbound } : {}), ...(options.note !== undefined ? { note: options.note } : {}) });
  }
  async get(id: number): Promise<JournalEntry | undefined> {
    const e = this.entries.get(id);
    return e ? { ...e } : undefined;
  }
  async list(q: JournalQuery): Promise<JournalEntry[]> {
    return [...this.entries.values()]
      .filter((e) => (!q.route || e.route === q.route) && (!q.state || e.state === q.state) && (!q.from || e.receivedAt >= q.from) && (!q.to || e.receivedAt <= q.to) && (!q.afterId || e.id > q.afterId))
      .sort((a, b) => a.id - b.id)
      .slice(0, q.limit ?? 100)
      .map((e) => ({ ...e }));
  }
  async counts(): Promise<Array<{ route: string; state: JournalState; count: number }>> {
    const m = new Map<string, { route: string; state: JournalState; count: number }>();
    for (const e of this.entries.values()) {
      const k = `${e.route}|${e.state}`;
      const c = m.get(k) ?? { route: e.route, state: e.state, count: 0 };
      c.count += 1;
      m.set(k, c);
    }
    return [...m.values()];
  }
  private must(id: number): JournalEntry {
    const e = this.entries.get(id);
    if (!e) throw new Error(`no journal entry ${id}`);
    return e;
  }
  private update(id: number, patch: Partial<JournalEntry>): void {
    this.entries.set(id, { ...this.must(id), ...patch, updatedAt: new Date().toISOString() });
  }
}
