/**
 * Longest-match term scanning shared by the extension readers: one alternation of all terms, longest first,
 * so `双肾` wins over `双` and `负荷超声心动图` over `超声心动图`.
 */
export interface Hit<T> {
  term: string;
  value: T;
  at: number;
}

const escapeRe = (k: string): string => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Lexicon<T> {
  private readonly re: RegExp;
  constructor(private readonly terms: Map<string, T>) {
    const keys = [...terms.keys()].filter(Boolean).sort((a, b) => b.length - a.length);
    this.re = new RegExp(keys.map(escapeRe).join('|') || '(?!)', 'g');
  }

  scan(text: string): Array<Hit<T>> {
    const hits: Array<Hit<T>> = [];
    this.re.lastIndex = 0;
    for (let m = this.re.exec(text); m; m = this.re.exec(text)) hits.push({ term: m[0], value: this.terms.get(m[0]) as T, at: m.index });
    return hits;
  }
}

/** Strips a parenthesised qualifier (`早孕期(6-8周)` → `早孕期`) of a normalised name. */
export const withoutParens = (s: string): string => s.normalize('NFKC').toLowerCase().replace(/\([^)]*\)/g, '');
