/**
 * Reading an ultrasound order name into exams over the US items, and ranking the items of each exam.
 *
 * Rules (docs/matching.md "Extension matcher"):
 * - parts: every part word of the line; the largest composite item whose parts are all named is one exam
 *   (`肝胆胰脾` → 肝胆脾胰, `子宫附件` → 子宫、卵巢、输卵管), every other named part is its own exam;
 * - a sub-item word attaches to the exam of its piece (`+`, `、`, `,` separate pieces); a sub-item in a piece
 *   without a part is its own exam over the parts that carry it (`前列腺B超+残余尿`);
 * - with no part word, a sub-item or approach word implies the parts that carry it (`早孕B超` → 胎儿);
 * - no method word means 常规: the standard names the plain exam of every part `…常规超声检查`, and a routine
 *   order carries no method word; a named method must be the item's; several named methods: the most specific;
 * - an unnamed approach or sub-item prefers the item without one, if the part has such an item.
 */
import type { ExtensionItem } from './items.js';
import type { Hit } from './lexicon.js';
import type { PartVariant, UsTerm, UsVocabulary } from './us-vocabulary.js';

/** When several methods are named, the more specific wins (an ablation is done under guidance: 消融 over 介入). */
const METHOD_PRECEDENCE = ['消融', '造影', '弹性', '四维', '三维', '介入', '床旁', '常规'];
const PIECE_SEPARATOR = /[+、,;，；]/g;

export interface UsExamReading {
  /** Candidate level-2 parts with a penalty each (side or age not said, alternatives). */
  parts: Array<{ part: string; penalty: number }>;
  sub?: string[];
  approach?: string;
  method?: string;
  /** Why this exam may not be `auto` although its best item scores high. */
  doubt?: string;
  terms: string[];
}

type PartHit = Hit<Extract<UsTerm, { kind: 'part' }>> & { piece: number };

function pieceIndex(text: string): (at: number) => number {
  const cuts: number[] = [];
  PIECE_SEPARATOR.lastIndex = 0;
  for (let m = PIECE_SEPARATOR.exec(text); m; m = PIECE_SEPARATOR.exec(text)) cuts.push(m.index);
  return (at) => cuts.filter((c) => c < at).length;
}

/** The variants of a key the line's side/age words select, with a penalty for an unsaid side or age. */
function resolveVariants(vs: PartVariant[], side: string | undefined, age: string | undefined): Array<{ part: string; penalty: number }> {
  if (vs.some((v) => v.side)) {
    if (side) return vs.filter((v) => v.side === side).map((v) => ({ part: v.part, penalty: 0 }));
    // No side said: both sides first (the usual order), but not for sure.
    return vs.map((v) => ({ part: v.part, penalty: v.side === '双' ? 0.15 : 0.3 }));
  }
  if (vs.some((v) => v.age)) {
    const child = (a: string | undefined) => a !== undefined && a !== '成人';
    if (age) {
      const exact = vs.filter((v) => v.age === age);
      if (exact.length) return exact.map((v) => ({ part: v.part, penalty: 0 }));
      if (child(age)) return vs.map((v) => ({ part: v.part, penalty: child(v.age) ? 0.05 : 0.3 }));
    }
    const plain = vs.find((v) => !v.age) ?? vs.find((v) => v.age === '成人');
    return vs.map((v) => ({ part: v.part, penalty: v === plain ? 0 : 0.3 }));
  }
  return vs.map((v) => ({ part: v.part, penalty: 0 }));
}

export function readUs(text: string, voc: UsVocabulary): { exams: UsExamReading[]; unsupported?: string } {
  const hits = voc.lexicon.scan(text);
  const piece = pieceIndex(text);
  const partHits: PartHit[] = [];
  const subHits: Array<{ stripped: string; piece: number; term: string }> = [];
  let approach: string | undefined;
  let side: string | undefined;
  let age: string | undefined;
  let unsupported: string | undefined;
  const methods: string[] = [];
  for (const h of hits) {
    const v = h.value;
    if (v.kind === 'part') {
      partHits.push({ ...h, value: v, piece: piece(h.at) });
      if (v.sub) subHits.push({ stripped: v.sub, piece: piece(h.at), term: h.term });
    } else if (v.kind === 'sub') subHits.push({ stripped: v.stripped, piece: piece(h.at), term: h.term });
    else if (v.kind === 'approach') approach ??= v.name;
    else if (v.kind === 'method') methods.push(v.name);
    else if (v.kind === 'side') side ??= v.side;
    else if (v.kind === 'age') age ??= v.age;
    else if (v.kind === 'unsupported') unsupported ??= h.term;
  }
  const method = METHOD_PRECEDENCE.find((m) => methods.includes(m)) ?? methods[0];
  const common = { ...(approach ? { approach } : {}), ...(method ? { method } : {}) };
  const exams: Array<UsExamReading & { piece: number }> = [];
  const partsOfKey = (key: string) => resolveVariants(voc.variants.get(key) ?? [], side, age);

  // Parts named for sure (`all`), grouped into the largest composites they fill.
  const sure = partHits.filter((h) => !h.value.any);
  const keys = [...new Set(sure.flatMap((h) => h.value.keys))];
  const pieceOfKey = (k: string) => sure.find((h) => h.value.keys.includes(k))?.piece ?? 0;
  const broad = sure.length > 0 && sure.every((h) => h.value.broad);
  const left = new Set(keys);
  for (const c of [...voc.composites].sort((a, b) => b.keys.size - a.keys.size)) {
    if (c.keys.size < 2 || ![...c.keys].every((k) => left.has(k))) continue;
    for (const k of c.keys) left.delete(k);
    exams.push({ parts: [{ part: c.part, penalty: 0 }], ...common, terms: [], piece: pieceOfKey([...c.keys][0] as string), ...(broad ? { doubt: 'a broad region word' } : {}) });
  }
  for (const k of keys) if (left.has(k)) exams.push({ parts: partsOfKey(k), ...common, terms: [k], piece: pieceOfKey(k), ...(broad ? { doubt: 'a broad region word' } : {}) });
  // A region word whose items the line also names (`颈部血管彩超(颈动脉+椎动脉)`) adds no exam of its own.
  for (const h of partHits.filter((x) => x.value.any && !x.value.keys.some((k) => keys.includes(k)))) {
    exams.push({ parts: h.value.keys.flatMap(partsOfKey), ...common, terms: [h.term], piece: h.piece, doubt: `${h.term} names several items` });
  }
  for (const s of subHits) {
    const carriers = partsWithSub(voc, s.stripped);
    const names = narrowSub(voc.subs.get(s.stripped) ?? [], text);
    const carries = (e: UsExamReading) => e.parts.some((p) => (voc.itemsByPart.get(p.part) ?? []).some((i) => i.subItem && names.some((n) => i.subItem.includes(n) || n.includes(i.subItem))));
    // The exam of the sub-item's piece; in another piece, the one exam whose parts carry it (`前列腺B超+残余尿` is two exams).
    const own = exams.find((e) => e.piece === s.piece) ?? (exams.length === 1 && carries(exams[0] as UsExamReading) ? exams[0] : undefined);
    // `子宫附件+卵泡监测`: the sub-item is on a part of the line's one composite exam; the reviewer codes one exam of
    // that part with the sub-item, but the name does not say so for sure.
    const inside = !own && exams.length === 1 ? carriers.filter((p) => (exams[0] as UsExamReading).parts.some((x) => containsParts(voc, x.part, p))) : [];
    if (inside.length) {
      const one = exams[0] as UsExamReading;
      one.sub = names;
      one.parts.push(...inside.map((part) => ({ part, penalty: 0 })));
      one.doubt = 'the sub-item is on a part of the composite named';
    } else if (own) {
      own.sub = names;
      // `胆囊收缩功能`: the sub-item is on a part whose name contains the named one (胆囊胆道), not on the named part.
      if (!carries(own)) for (const p of carriers) if (!own.parts.some((x) => x.part === p) && own.parts.some((x) => p.includes(x.part))) own.parts.push({ part: p, penalty: 0 });
    } else if (!unsupported) exams.push({ parts: carriers.map((part) => ({ part, penalty: 0 })), sub: names, ...common, terms: [s.term], piece: s.piece, ...(carriers.length > 1 ? { doubt: 'the sub-item is on several parts' } : {}) });
  }
  if (exams.length === 0 && approach && !unsupported) {
    // An approach alone (`阴超`) implies the parts examined that way; the composite covering them first.
    const parts = [...voc.itemsByPart.entries()].filter(([, items]) => items.some((i) => i.approach === approach)).map(([p]) => p);
    const cover = parts.find((p) => parts.every((q) => q === p || containsParts(voc, p, q)));
    const ranked = cover ? [cover, ...parts.filter((p) => p !== cover)] : parts;
    if (ranked.length) exams.push({ parts: ranked.map((part, i) => ({ part, penalty: i === 0 ? 0 : 0.1 })), ...common, terms: [approach], piece: 0, ...(ranked.length > 1 ? { doubt: 'no part named' } : {}) });
  }
  if (unsupported && exams.length === 0) return { exams: [], unsupported };
  // In an English name, a word the vocabulary does not read (`echo stress` is the stress echo) may change the item:
  // not `auto`. In a Chinese name, Latin words are asides (ICU, PICC, tracer names) and are left alone.
  const unread = CJK.test(text) ? undefined : unreadLatinWord(text, hits);
  if (unread) for (const e of exams) e.doubt ??= `an unread word: ${unread}`;
  return { exams: exams.map(({ piece: _piece, ...e }) => e) };
}

const LATIN_WORD = /[a-z]{3,}/g;
const CJK = /[\u4e00-\u9fa5]/;

/** The first Latin word of three letters or more that no vocabulary term covers, if any. */
function unreadLatinWord(text: string, hits: Array<Hit<UsTerm>>): string | undefined {
  LATIN_WORD.lastIndex = 0;
  for (let m = LATIN_WORD.exec(text); m; m = LATIN_WORD.exec(text)) {
    const [from, to] = [m.index, m.index + m[0].length];
    const covered = hits.some((h) => h.at <= from && h.at + h.term.length >= to);
    if (!covered) return m[0];
  }
  return undefined;
}

/** Sub-items sharing a name (`系统性筛查（一级|二级|三级）`): the one whose bracketed qualifier the text names, else all. */
function narrowSub(names: string[], text: string): string[] {
  const named = names.filter((n) => {
    const q = /\(([^)]*)\)/.exec(n.normalize('NFKC').toLowerCase())?.[1];
    return !!q && text.includes(q);
  });
  return named.length ? named : names;
}

function partsWithSub(voc: UsVocabulary, stripped: string): string[] {
  const names = new Set(voc.subs.get(stripped) ?? []);
  return [...voc.itemsByPart.entries()].filter(([, items]) => items.some((i) => names.has(i.subItem))).map(([p]) => p);
}

/** Composite part `p` includes part `q` (by keys). */
function containsParts(voc: UsVocabulary, p: string, q: string): boolean {
  const c = voc.composites.find((x) => x.part === p);
  return !!c && [...voc.variants.entries()].some(([k, vs]) => c.keys.has(k) && vs.some((v) => v.part === q));
}

/** Ranks the items of one exam reading: 1 minus the penalties of what the item says and the name does not, or vice versa. */
export function scoreUs(r: UsExamReading, voc: UsVocabulary): Array<{ item: ExtensionItem; score: number }> {
  const out: Array<{ item: ExtensionItem; score: number }> = [];
  for (const { part, penalty } of r.parts) {
    const items = voc.itemsByPart.get(part) ?? [];
    const has = (f: (i: ExtensionItem) => boolean) => items.some(f);
    for (const item of items) {
      let s = 1 - penalty;
      if (r.approach) {
        if (item.approach === r.approach) s -= 0;
        else if (item.approach === '') s -= has((i) => i.approach === r.approach) ? 0.3 : 0;
        else s -= 0.4;
      } else if (item.approach !== '') {
        // A named sub-item that exists only with this approach (脓肿穿刺引流术 is 经皮) implies the approach.
        const implied = !!r.sub?.includes(item.subItem) && !has((i) => i.approach === '' && i.subItem === item.subItem);
        s -= implied ? 0 : has((i) => i.approach === '') ? 0.3 : 0.02;
      }
      if (r.sub) {
        const sub = r.sub;
        if (sub.includes(item.subItem)) s -= sub.length > 1 ? 0.1 : 0;
        else if (item.subItem === '') s -= has((i) => sub.includes(i.subItem)) ? 0.3 : 0.05;
        else s -= sub.some((x) => item.subItem.includes(x) || x.includes(item.subItem)) ? 0.1 : 0.4;
      } else if (item.subItem !== '') s -= has((i) => i.subItem === '' && i.approach === item.approach) ? 0.25 : 0.02;
      const method = r.method ?? '常规';
      if (item.method !== method) s -= r.method ? 0.5 : 0.3;
      out.push({ item, score: Math.max(0, s) });
    }
  }
  return out.sort((a, b) => b.score - a.score);
}
