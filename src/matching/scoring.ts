/**
 * Scoring one exam (facets + one modality) against the item index. Every factor is a number in
 * (0, 1]; the product is the candidate's score. Factors and their reasons are reported in facets.
 */
import type { ExamItem } from '../standard/types.js';
import type { ExamFacets } from './facets.js';
import { itemModality, type Lat, type Modality, type Vocabulary } from './vocabulary.js';

export const UNSPECIFIED_PART = '999999';

/** Precomputed lookups over the items (built once). */
export class ItemIndex {
  readonly byModBody = new Map<string, ExamItem[]>();
  readonly keys = new Set<string>();
  readonly byCode = new Map<string, ExamItem>();
  /** modality|scan → body parts (L3) that have an item with that scan. */
  readonly bodyByScan = new Map<string, Set<string>>();
  constructor(readonly items: ExamItem[]) {
    for (const item of items) {
      const m = itemModality(item);
      const k = `${m}|${item.bodyPartL3}`;
      let list = this.byModBody.get(k);
      if (!list) this.byModBody.set(k, (list = []));
      list.push(item);
      this.keys.add(`${k}|${item.scan}`);
      this.byCode.set(item.code, item);
      let parts = this.bodyByScan.get(`${m}|${item.scan}`);
      if (!parts) this.bodyByScan.set(`${m}|${item.scan}`, (parts = new Set()));
      parts.add(item.bodyPartL3);
    }
  }
  has(m: Modality, l3: string, scan: string): boolean {
    return this.keys.has(`${m}|${l3}|${scan}`);
  }
  itemsOf(m: Modality, l3: string): ExamItem[] {
    return this.byModBody.get(`${m}|${l3}`) ?? [];
  }
}

const VASCULAR: Record<string, Set<string>> = { CT: new Set(['33', '34', '35', '36']), MR: new Set(['31', '32', '33', '34', '35', '36', '37', '76']) };
const PLAIN_VARIANTS = new Set(['12', '13', '14', '15']);

export function isVascular(m: Modality, scan: string): boolean {
  return VASCULAR[m]?.has(scan) ?? false;
}

/** Body-part codes with preference weights for the given laterality. */
export function bodyCodes(f: ExamFacets): Map<string, number> {
  const out = new Map<string, number>();
  const b = f.body;
  if (!b) return out;
  const add = (lat: Lat, factor: number) => {
    for (const [c, w] of b.entry.codes.get(lat) ?? []) out.set(c, Math.max(out.get(c) ?? 0, w * factor));
  };
  if (b.lats && b.lats.length > 0) {
    b.lats.forEach((lat, i) => add(lat, 1 - 0.01 * i));
    if (out.size === 0) add('N', 1);
  } else if (b.lat && b.entry.codes.has(b.lat)) {
    add(b.lat, 1);
    add('N', 0.8);
  } else {
    add('N', 1);
    add('B', 0.99);
    add('L', 0.98);
    add('R', 0.97);
  }
  return out;
}

/** The scan codes the text asks for in modality m, after combining (平扫+增强 → 22 …). */
export function resolveScans(f: ExamFacets, m: Modality, index: ItemIndex, body: Map<string, number>): { scans: string[]; defaulted: boolean } {
  const usable = f.scanWords.filter((s) => s.word.codes[m]);
  const strong = usable.filter((s) => !s.word.weak);
  let words = strong.length > 0 ? strong : usable;
  // A parenthetical listing of sub-methods (`水成像(MRCP、MRM、MRU)`) details the method outside it.
  const outside = new Set(words.filter((s) => !s.inParens).map((s) => (s.word.codes[m] as string)[0]));
  words = words.filter((s) => !s.inParens || !outside.has((s.word.codes[m] as string)[0]));
  const set = new Set(words.map((s) => s.word.codes[m] as string));
  if (m === 'CT' || m === 'MR') {
    if ([...set].some((s) => PLAIN_VARIANTS.has(s) || (m === 'MR' && s === '12'))) set.delete('11');
    if (set.has('21') || set.has('22')) for (const v of PLAIN_VARIANTS) set.delete(v);
    if (set.has('11') && set.has('21')) {
      set.delete('11');
      set.delete('21');
      set.add('22');
    }
    if (m === 'CT' && set.has('22') && set.has('42')) {
      set.delete('22');
      set.delete('42');
      set.add('43');
    }
    if (m === 'CT' && set.has('33') && set.has('34')) {
      set.delete('33');
      set.delete('34');
      set.add('36');
    }
    if (m === 'MR' && set.has('11') && set.has('52') && [...body.keys()].some((c) => index.has(m, c, '7f'))) {
      set.delete('11');
      set.delete('52');
      set.add('7f');
    }
    if (set.size === 0) return { scans: ['11'], defaulted: true };
  } else if (m === 'MG') {
    if (set.size > 1) set.delete('M1');
    if (set.size === 0) return { scans: ['M1'], defaulted: true };
  } else if (m === 'RF') {
    if (set.size > 1) set.delete('X1');
    if (set.size === 0) return { scans: ['X1'], defaulted: true };
  } else {
    if (set.size === 0) return { scans: ['00'], defaulted: true };
  }
  const order = ['22', '43', '11', '12', '13', '14', '15', '21'];
  const scans = [...set].sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
  return { scans: scans.slice(0, 4), defaulted: false };
}

/** Similarity of X-ray view atom sets (1 = same views). */
export function viewScore(input: string[], item: string[], chest: boolean): number {
  if (input.length === 0) {
    if (item.length === 1 && item[0] === '正') return chest ? 0.93 : 0.88;
    if (item.length === 2 && item[0] === '侧' && item[1] === '正') return chest ? 0.88 : 0.93;
    return item.length === 0 ? 1 : 0.75;
  }
  const a = input.join('|');
  const b = item.join('|');
  if (a === b) return 1;
  // 后前/前后 are frontal views; 瓦氏位 and 华氏位 are two transliterations of the Waters view.
  const canon = (x: string[]) => [...new Set(x.map((v) => (v === '后前' || v === '前后' ? '正' : v === '瓦氏' ? '华氏' : v)).filter((v) => v !== '仰卧'))].sort().join('|');
  if (canon(input) === canon(item)) return 0.9;
  const inter = input.filter((x) => item.includes(x)).length;
  const union = new Set([...input, ...item]).size;
  return 0.35 + 0.4 * (inter / union);
}

export interface ScoredCandidate {
  item: ExamItem;
  score: number;
}

export interface ExamQuery {
  facets: ExamFacets;
  modality: Modality;
  modalityFactor: number;
  scan: string;
  scanDefaulted: boolean;
  post?: string;
  body: Map<string, number>;
}

/** Scores the items of one modality for one exam; best first. */
export function scoreExam(q: ExamQuery, index: ItemIndex, vocab: Vocabulary): ScoredCandidate[] {
  const { modality: m, scan } = q;
  const bodies = new Map(q.body);
  // Hierarchy fall-backs: the whole-L2 region, then the "not specified" part.
  for (const [c, w] of q.body) {
    const whole = c.slice(0, 4) + '00';
    if (!bodies.has(whole)) bodies.set(whole, w * 0.85);
  }
  // A method the standard has for one part only, asked within that part's region (MRCP in 上腹部 → 胰胆管).
  const withScan = index.bodyByScan.get(`${m}|${scan}`);
  if (withScan && withScan.size === 1) {
    for (const [c, w] of q.body) {
      for (const p of withScan) if (p !== c && p.slice(0, 4) === c.slice(0, 4) && !bodies.has(p)) bodies.set(p, w * 0.9);
    }
  }
  const unspecifiedWeight = q.body.size === 0 || q.facets.body?.unspecified ? 0.93 : 0.55;
  bodies.set(UNSPECIFIED_PART, Math.max(bodies.get(UNSPECIFIED_PART) ?? 0, unspecifiedWeight));
  const chest = [...q.body.keys()].some((c) => c.startsWith('04'));
  const xray = m === 'DR' || m === 'MG' || m === 'RF';
  const best = new Map<string, ScoredCandidate>();
  for (const [l3, bw] of bodies) {
    for (const item of index.itemsOf(m, l3)) {
      let s = bw * q.modalityFactor;
      if (item.scan === scan) s *= q.scanDefaulted ? 0.97 : 1;
      else if (item.scan === '00' && !xray && q.post && q.scanDefaulted) s *= 0.95;
      else if (item.scan[0] === scan[0]) s *= 0.7;
      else s *= 0.4;
      if (!xray) {
        const post = q.post ?? '00';
        const pp = item.postOrPosition;
        if (pp === post) s *= 1;
        else if (post !== '00' && pp !== '00' && pp[0] === post[0]) s *= 0.9;
        else if (post !== '00' && pp === '00') s *= 0.8;
        else if (post === '00' && pp !== '00') s *= 0.7;
        else s *= 0.6;
      } else if (m === 'DR' || m === 'MG') {
        const atoms = item.postOrPosition === '00' ? [] : (vocab.positionAtoms.get(item.postOrPosition) ?? []);
        s *= viewScore(q.facets.views, atoms, chest);
      }
      if (item.deviceType === '42') s *= q.facets.mobile ? 1.02 : 0.5;
      else if (q.facets.mobile && m === 'DR') s *= 0.99;
      const prev = best.get(item.code);
      if (!prev || prev.score < s) best.set(item.code, { item, score: Math.min(1, s) });
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.item.code.localeCompare(b.item.code));
}
