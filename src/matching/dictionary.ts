/**
 * A longest-leftmost term finder over short strings (exam names are ~5-40 characters).
 * Built once; `scan` allocates only the hits it returns.
 */
export interface TermHit<T> {
  term: string;
  start: number;
  end: number;
  value: T;
}

export class TermDictionary<T> {
  private readonly byFirst = new Map<number, Array<{ term: string; value: T }>>();
  private readonly values = new Map<string, T>();

  add(term: string, value: T): void {
    if (!term) return;
    this.values.set(term, value);
  }

  /** Freezes the dictionary: groups terms by first character, longest first. */
  build(): this {
    this.byFirst.clear();
    for (const [term, value] of this.values) {
      const k = term.charCodeAt(0);
      let list = this.byFirst.get(k);
      if (!list) this.byFirst.set(k, (list = []));
      list.push({ term, value });
    }
    for (const list of this.byFirst.values()) list.sort((a, b) => b.term.length - a.term.length);
    return this;
  }

  get(term: string): T | undefined {
    return this.values.get(term);
  }

  has(term: string): boolean {
    return this.values.has(term);
  }

  get size(): number {
    return this.values.size;
  }

  /** Non-overlapping hits, leftmost first, longest at each position. */
  scan(text: string, from = 0, to = text.length): Array<TermHit<T>> {
    const hits: Array<TermHit<T>> = [];
    let i = from;
    while (i < to) {
      const list = this.byFirst.get(text.charCodeAt(i));
      let hit: { term: string; value: T } | undefined;
      if (list) {
        for (const e of list) {
          if (i + e.term.length <= to && text.startsWith(e.term, i)) {
            hit = e;
            break;
          }
        }
      }
      if (hit) {
        hits.push({ term: hit.term, start: i, end: i + hit.term.length, value: hit.value });
        i += hit.term.length;
      } else {
        i++;
      }
    }
    return hits;
  }
}
