/**
 * A longest-leftmost term finder over short strings (exam names are ~5-40 characters).
 * Built once into a character trie, so a position costs one map look-up per character matched
 * (not one `startsWith` per term sharing the first character); `scan` allocates only the hits it returns.
 */
export interface TermHit<T> {
  term: string;
  start: number;
  end: number;
  value: T;
}

interface TrieNode<T> {
  next: Map<number, TrieNode<T>> | undefined;
  /** The term ending at this node, if any. */
  term: string | undefined;
  value: T | undefined;
}

const node = <T>(): TrieNode<T> => ({ next: undefined, term: undefined, value: undefined });

export class TermDictionary<T> {
  private root: TrieNode<T> = node();
  /**
   * First characters, looked up by UTF-16 code unit: slot in `firstNodes` (0 = no term starts with it).
   * Most positions of a name start no term; an array index answers that faster than a Map.
   */
  private firstSlot = new Uint16Array(0x10000);
  private firstNodes: Array<TrieNode<T>> = [];
  private readonly values = new Map<string, T>();

  add(term: string, value: T): void {
    if (!term) return;
    this.values.set(term, value);
  }

  /** Freezes the dictionary: terms added after `build` are found by `get` but not by `scan`. */
  build(): this {
    this.root = node();
    for (const [term, value] of this.values) {
      let n = this.root;
      for (let i = 0; i < term.length; i++) {
        const c = term.charCodeAt(i);
        n.next ??= new Map();
        let child = n.next.get(c);
        if (!child) n.next.set(c, (child = node()));
        n = child;
      }
      n.term = term;
      n.value = value;
    }
    this.firstSlot = new Uint16Array(0x10000);
    this.firstNodes = [node()]; // slot 0: none
    for (const [c, child] of this.root.next ?? []) {
      this.firstSlot[c] = this.firstNodes.length;
      this.firstNodes.push(child);
    }
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

  /** Every term (build time only). */
  terms(): IterableIterator<string> {
    return this.values.keys();
  }

  /** The longest term starting at `i` and ending by `to`: its trie node, or undefined. */
  private longestAt(text: string, i: number, to: number): TrieNode<T> | undefined {
    const slot = this.firstSlot[text.charCodeAt(i)];
    if (!slot) return undefined;
    let n: TrieNode<T> | undefined = this.firstNodes[slot] as TrieNode<T>;
    let found = n.term !== undefined ? n : undefined;
    for (let j = i + 1; j < to; j++) {
      n = n.next?.get(text.charCodeAt(j));
      if (!n) break;
      if (n.term !== undefined) found = n;
    }
    return found;
  }

  /** Non-overlapping hits, leftmost first, longest at each position. */
  scan(text: string, from = 0, to = text.length): Array<TermHit<T>> {
    const hits: Array<TermHit<T>> = [];
    let i = from;
    while (i < to) {
      const hit = this.longestAt(text, i, to);
      if (hit) {
        const term = hit.term as string;
        hits.push({ term, start: i, end: i + term.length, value: hit.value as T });
        i += term.length;
      } else {
        i++;
      }
    }
    return hits;
  }

  /** The first hit of `scan`, without collecting the rest. */
  first(text: string, from = 0, to = text.length): TermHit<T> | undefined {
    for (let i = from; i < to; i++) {
      const hit = this.longestAt(text, i, to);
      if (hit) {
        const term = hit.term as string;
        return { term, start: i, end: i + term.length, value: hit.value as T };
      }
    }
    return undefined;
  }

  /** Whether `scan` would find anything. */
  occursIn(text: string, from = 0, to = text.length): boolean {
    for (let i = from; i < to; i++) if (this.longestAt(text, i, to)) return true;
    return false;
  }
}
