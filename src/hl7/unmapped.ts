/**
 * The review list of local order codes the gateway could not map, per sender. Maintainers read it
 * through the admin API to add ConceptMap entries (which the resolver then uses first). It is an
 * in-memory index; the durable record of each unmapped code is the journal note of its message,
 * from which `Hl7Gateway.start` rebuilds this list.
 */
export interface UnmappedCode {
  sender: string;
  route: string;
  code: string;
  text: string;
  codingSystem: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  lastReason: string;
  /** Journal id of the latest message that carried it (when journaled). */
  lastMessageId?: number;
}

export class UnmappedRegistry {
  private readonly codes = new Map<string, UnmappedCode>();

  record(entry: { sender: string; route: string; code: string; text: string; codingSystem: string; reason: string; at?: string; messageId?: number }): void {
    const key = [entry.sender, entry.codingSystem, entry.code, entry.code ? '' : entry.text].join('\u0000');
    const at = entry.at ?? new Date().toISOString();
    const existing = this.codes.get(key);
    if (existing) {
      existing.count += 1;
      if (at > existing.lastSeen) {
        existing.lastSeen = at;
        existing.lastReason = entry.reason;
        existing.text = entry.text || existing.text;
        if (entry.messageId !== undefined) existing.lastMessageId = entry.messageId;
      }
      if (at < existing.firstSeen) existing.firstSeen = at;
      return;
    }
    this.codes.set(key, {
      sender: entry.sender,
      route: entry.route,
      code: entry.code,
      text: entry.text,
      codingSystem: entry.codingSystem,
      count: 1,
      firstSeen: at,
      lastSeen: at,
      lastReason: entry.reason,
      lastMessageId: entry.messageId,
    });
  }

  /** Most frequent first. */
  list(filter: { sender?: string; route?: string } = {}): UnmappedCode[] {
    return [...this.codes.values()]
      .filter((c) => (!filter.sender || c.sender === filter.sender) && (!filter.route || c.route === filter.route))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  }

  get size(): number {
    return this.codes.size;
  }
}
