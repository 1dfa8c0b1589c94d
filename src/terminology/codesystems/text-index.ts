/**
 * Precomputed, normalised text-search index for `$expand` `filter` (FHIR R4 ValueSet/$expand, filter).
 *
 * Built once per code system at load time (hot path: a search is a scan over pre-normalised
 * strings, no per-request allocation beyond the result). Normalisation makes Chinese and mixed
 * queries forgiving: NFKC (full-width → half-width, so `ＣＴ` = `CT` and `（` = `(`), lower case,
 * brackets unified, whitespace and a few punctuation marks dropped, and a leading `*` removed.
 */

/** Normalises text for matching: NFKC, lower case, unified brackets, no whitespace/punctuation noise. */
export function normaliseSearchText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[【\[［{｛]/g, '(')
    .replace(/[】\]］}｝]/g, ')')
    .replace(/[\s\u3000·・,，、。.;；:：'"“”‘’*＊_\-—]+/g, '');
}

/** Splits a query into terms: whitespace-separated words, then CJK/latin runs within each word. */
export function queryTerms(query: string): string[] {
  const words = query.normalize('NFKC').split(/[\s\u3000]+/).filter((w) => w !== '');
  const terms: string[] = [];
  for (const word of words) {
    const norm = normaliseSearchText(word).replace(/[()]/g, '');
    if (norm === '') continue;
    // Break mixed runs (`胸部ct` → `胸部`, `ct`) so word order in the display does not matter.
    const runs = norm.match(/[\p{Script=Han}]+|[^\p{Script=Han}]+/gu) ?? [norm];
    for (const r of runs) terms.push(r);
  }
  return terms;
}

interface Entry {
  /** Index of the concept in the provider's concept list. */
  ordinal: number;
  /** Normalised display (without brackets) and designations, each searched separately. */
  texts: string[];
  /** The normalised display with brackets kept, for exact-phrase matches like `CT胸部(平扫)`. */
  phrase: string;
  code: string;
}

export interface SearchHit {
  ordinal: number;
  score: number;
}

export class TextSearchIndex {
  private readonly entries: Entry[] = [];

  add(ordinal: number, code: string, display: string | undefined, designations: string[]): void {
    const texts = [display ?? '', ...designations].filter((t) => t !== '').map((t) => normaliseSearchText(t).replace(/[()]/g, ''));
    this.entries.push({ ordinal, code: code.toLowerCase(), texts, phrase: normaliseSearchText(display ?? '') });
  }

  /**
   * Concepts whose code, display or a designation contains every term of the query, best first:
   * exact phrase / code match, then prefix matches, then shorter texts, then code system order.
   */
  search(query: string): SearchHit[] {
    const terms = queryTerms(query);
    if (terms.length === 0) return this.entries.map((e) => ({ ordinal: e.ordinal, score: 0 }));
    const phrase = normaliseSearchText(query);
    const joined = terms.join('');
    const hits: SearchHit[] = [];
    for (const e of this.entries) {
      let best = -1;
      if (e.code === joined) best = 1000;
      for (const text of e.texts) {
        if (!terms.every((t) => text.includes(t))) continue;
        let score = 100 - Math.min(text.length, 90);
        if (text === joined) score += 500;
        else if (text.startsWith(terms[0]!)) score += 50;
        if (text.includes(joined)) score += 100;
        if (score > best) best = score;
      }
      if (best < 0 && terms.every((t) => e.code.includes(t))) best = 10;
      if (best >= 0) {
        if (e.phrase === phrase) best += 1000;
        hits.push({ ordinal: e.ordinal, score: best });
      }
    }
    hits.sort((a, b) => b.score - a.score || a.ordinal - b.ordinal);
    return hits;
  }

  get size(): number {
    return this.entries.length;
  }
}
