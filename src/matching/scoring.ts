/**
 * Scoring one exam (facets + one modality) against the item index. Every factor is a number in
 * (0, 1]; the product is the candidate's score. Factors and their reasons are reported in facets.
 */
import type { ExamItem } from '../standard/types.js';
import type { ExamFacets } from './facets.js';
import { itemModality, type BodyEntry, type Lat, type Modality } from './vocabulary.js';

export const UNSPECIFIED_PART = '999999';

/** An item with what scoring needs precomputed. */
export interface IndexedItem {
  item: ExamItem;
  /** X-ray view atoms of its position, sorted, joined by '|' ('' = none). */
  viewKey: string;
  viewCanon: string;
  /** viewCanon's atoms (none when it is ''). */
  canonAtoms: string[];
  views: string[];
}

/** The views an exam asks for, in the forms viewScore compares. */
export interface ViewQuery {
  views: string[];
  key: string;
  canon: string;
  canonAtoms: string[];
}

const NO_VIEWS: ViewQuery = { views: [], key: '', canon: '', canonAtoms: [] };

function viewQuery(views: string[]): ViewQuery {
  if (views.length === 0) return { views, key: '', canon: '', canonAtoms: [] };
  const canon = canonViews(views);
  return { views, key: views.join('|'), canon, canonAtoms: canon ? canon.split('|') : [] };
}

/** An L3 body part's region: its L2 (first four digits) and the whole-L2 part code (L2 + '00'). */
export interface PartRegion {
  l2: string;
  whole: string;
}

/**
 * Precomputed lookups over the items (built once). The per-name look-ups are nested maps keyed by
 * strings that already exist (modality, L3 and scan codes), not by keys concatenated per call.
 */
export class ItemIndex {
  readonly byModBody = new Map<string, IndexedItem[]>();
  readonly keys = new Set<string>();
  readonly byCode = new Map<string, ExamItem>();
  /** modality|scan → body parts (L3) that have an item with that scan. */
  readonly bodyByScan = new Map<string, Set<string>>();
  /** modality → L3 → its items (the lists of byModBody). */
  private readonly byModality = new Map<Modality, Map<string, IndexedItem[]>>();
  /** modality → scan → L2 → the parts of that region with an item with that scan (scoring's per-region look-up). */
  private readonly regionsByScan = new Map<Modality, Map<string, Map<string, string[]>>>();
  private readonly regions = new Map<string, PartRegion>();
  constructor(readonly items: ExamItem[], positionAtoms: Map<string, string[]> = new Map()) {
    for (const item of items) {
      const m = itemModality(item);
      const k = `${m}|${item.bodyPartL3}`;
      let list = this.byModBody.get(k);
      if (!list) {
        this.byModBody.set(k, (list = []));
        getOrCreate(this.byModality, m, () => new Map<string, IndexedItem[]>()).set(item.bodyPartL3, list);
      }
      const views = item.deviceType.startsWith('4') && item.postOrPosition !== '00' ? (positionAtoms.get(item.postOrPosition) ?? []) : [];
      const viewCanon = views.length > 0 ? canonViews(views) : '';
      list.push({ item, views, viewKey: views.join('|'), viewCanon, canonAtoms: viewCanon ? viewCanon.split('|') : [] });
      this.keys.add(`${k}|${item.scan}`);
      this.byCode.set(item.code, item);
      let parts = this.bodyByScan.get(`${m}|${item.scan}`);
      if (!parts) this.bodyByScan.set(`${m}|${item.scan}`, (parts = new Set()));
      if (parts.has(item.bodyPartL3)) continue;
      parts.add(item.bodyPartL3);
      const byScan = getOrCreate(this.regionsByScan, m, () => new Map<string, Map<string, string[]>>());
      const byRegion = getOrCreate(byScan, item.scan, () => new Map<string, string[]>());
      getOrCreate(byRegion, item.bodyPartL3.slice(0, 4), () => []).push(item.bodyPartL3);
    }
  }
  /** L2 region (four digits) → its parts that have an item with `scan` in modality m; undefined when no item has that scan. */
  regionsWithScan(m: Modality, scan: string): ReadonlyMap<string, readonly string[]> | undefined {
    return this.regionsByScan.get(m)?.get(scan);
  }
  /** The region of an L3 code (kept per code: the codes are few and asked for on every name). */
  regionOf(l3: string): PartRegion {
    let r = this.regions.get(l3);
    if (!r) {
      const l2 = l3.slice(0, 4);
      this.regions.set(l3, (r = { l2, whole: `${l2}00` }));
    }
    return r;
  }
  has(m: Modality, l3: string, scan: string): boolean {
    return this.keys.has(`${m}|${l3}|${scan}`);
  }
  indexed(m: Modality, l3: string): IndexedItem[] {
    return this.byModality.get(m)?.get(l3) ?? NO_ITEMS;
  }
  itemsOf(m: Modality, l3: string): ExamItem[] {
    return this.indexed(m, l3).map((e) => e.item);
  }
}

const NO_ITEMS: IndexedItem[] = [];

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

/** Patient postures: they qualify a view but do not change which item it is when the standard has no posture item. */
const POSTURES = new Set(['仰卧', '站立']);

/** 后前/前后 are frontal views; 瓦氏位 and 华氏位 are two transliterations of the Waters view. */
export function canonViews(views: string[]): string {
  const canon: string[] = [];
  for (let i = 0; i < views.length; i++) {
    const raw = views[i] as string;
    const v = raw === '后前' || raw === '前后' ? '正' : raw === '瓦氏' ? '华氏' : raw;
    if (!POSTURES.has(v) && !canon.includes(v)) canon.push(v);
  }
  return canon.sort().join('|');
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
  if (b.lats && b.lats.length > 0) {
    b.lats.forEach((lat, i) => addLat(out, b.entry, lat, 1 - 0.01 * i));
    if (out.size === 0) addLat(out, b.entry, 'N', 1);
  } else if (b.lat && b.entry.codes.has(b.lat)) {
    addLat(out, b.entry, b.lat, 1);
    addLat(out, b.entry, 'N', 0.8);
  } else {
    addLat(out, b.entry, 'N', 1);
    addLat(out, b.entry, 'B', 0.99);
    addLat(out, b.entry, 'L', 0.98);
    addLat(out, b.entry, 'R', 0.97);
  }
  return out;
}

function addLat(out: Map<string, number>, entry: BodyEntry, lat: Lat, factor: number): void {
  const codes = entry.codes.get(lat);
  if (!codes) return;
  codes.forEach((w, c) => {
    out.set(c, Math.max(out.get(c) ?? 0, w * factor));
  });
}

function someKey(map: Map<string, number>, test: (key: string) => boolean): boolean {
  for (const key of map.keys()) if (test(key)) return true;
  return false;
}

type ScanWordHit = ExamFacets['scanWords'][number];

function combine(set: Set<string>, at: Map<string, number>, parts: string[], into: string): void {
  let first = Infinity;
  for (const p of parts) {
    set.delete(p);
    first = Math.min(first, at.get(p) ?? Infinity);
  }
  set.add(into);
  at.set(into, first);
}

/** The scan codes the text asks for in modality m, after combining (平扫+增强 → 22 …). */
export function resolveScans(f: ExamFacets, m: Modality, index: ItemIndex, body: Map<string, number>): { scans: string[]; defaulted: boolean } {
  const set = new Set<string>();
  const at = new Map<string, number>();
  const words = f.scanWords;
  let usable = 0;
  let strong = 0;
  for (let i = 0; i < words.length; i++) {
    const w = (words[i] as ScanWordHit).word;
    if (w.codes[m]) {
      usable++;
      if (!w.weak) strong++;
    }
  }
  if (usable > 0) {
    // Only the strong words when there are any (a weak one such as 轴位 or 薄层 is then only a detail).
    const chosen = (h: ScanWordHit): string | undefined => (strong > 0 && h.word.weak ? undefined : h.word.codes[m]);
    // A parenthetical listing of sub-methods (`水成像(MRCP、MRM、MRU)`) details the method outside it:
    // the first characters (method families) of the codes named outside brackets.
    let outside = '';
    for (let i = 0; i < words.length; i++) {
      const h = words[i] as ScanWordHit;
      const c = chosen(h);
      if (c && !h.inParens) outside += c[0];
    }
    // Exams come out in the order the text names them; a combined method takes its first part's place.
    for (let i = 0; i < words.length; i++) {
      const h = words[i] as ScanWordHit;
      const c = chosen(h);
      if (!c || (h.inParens && outside.includes(c[0] as string))) continue;
      set.add(c);
      at.set(c, Math.min(at.get(c) ?? Infinity, h.start));
    }
  }

  if (m === 'CT' || m === 'MR') {
    let plainVariant = false;
    for (const c of set) if (PLAIN_VARIANTS.has(c) || (m === 'MR' && c === '12')) plainVariant = true;
    if (plainVariant) set.delete('11');
    if (set.has('21') || set.has('22')) for (const v of PLAIN_VARIANTS) set.delete(v);
    // A specific contrast method (DCE, liver-specific agent) is the 增强 the text mentions; DCE is also the perfusion named with it.
    if (m === 'MR' && (set.has('23') || set.has('24'))) set.delete('21');
    if (m === 'MR' && set.has('23')) set.delete('54');
    // Whole-body diffusion ([类PET]) is the DWI the text names with it.
    if (m === 'MR' && set.has('74')) set.delete('52');
    // `高分辨` before another MR method (血管壁, MRA) qualifies that method; HR-MRI alone is its own item.
    if (m === 'MR' && set.has('12') && set.has('31')) combine(set, at, ['12', '31'], '35');
    if (m === 'MR' && set.has('12') && set.has('32')) combine(set, at, ['12', '32'], '36');
    if (m === 'MR' && set.has('12') && [...set].some((c) => c !== '12' && c !== '11')) set.delete('12');
    if (set.has('11') && set.has('21')) combine(set, at, ['11', '21'], '22');
    if (m === 'CT' && set.has('22') && set.has('42')) combine(set, at, ['22', '42'], '43');
    // The direct method (直接法) is the CTV / vessel imaging the text names with it.
    if (m === 'CT' && set.has('35')) for (const c of ['33', '34', '36']) set.delete(c);
    if (m === 'CT' && set.has('33') && set.has('34')) combine(set, at, ['33', '34'], '36');
    if (m === 'MR' && set.has('11') && set.has('52') && someKey(body, (c) => index.has(m, c, '7f'))) combine(set, at, ['11', '52'], '7f');
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
  const scans = [...set].sort((a, b) => (at.get(a) ?? 0) - (at.get(b) ?? 0));
  return { scans: scans.slice(0, 4), defaulted: false };
}

/** Similarity of X-ray view atom sets (1 = same views). */
export function viewScore(input: ViewQuery, item: IndexedItem, chest: boolean): number {
  if (input.views.length === 0) {
    // 前后位/后前位 are the frontal view of parts that have no 正位 item (膀胱区前后位).
    if (item.viewCanon === '正') return chest ? 0.93 : 0.88;
    if (item.viewCanon === '侧|正') return chest ? 0.88 : 0.93;
    return item.viewKey === '' ? 1 : 0.75;
  }
  if (input.key === item.viewKey) return 1;
  if (input.canon === item.viewCanon) return 0.9;
  const a = input.canonAtoms;
  const b = item.canonAtoms;
  let inter = 0;
  // A bare atom inside a longer one (斜 in 左斜/右斜) is half a match: the side or direction is not written.
  for (const v of a) inter += b.includes(v) ? 1 : endsOneOf(b, v) ? 0.5 : 0;
  const union = a.length + b.length - inter;
  return 0.35 + 0.4 * (union ? inter / union : 0);
}

function endsOneOf(atoms: string[], v: string): boolean {
  for (let i = 0; i < atoms.length; i++) {
    const x = atoms[i] as string;
    if (x.length > v.length && x.endsWith(v)) return true;
  }
  return false;
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

/** An exam query: one constructor, so every query has one object shape. */
export function examQuery(facets: ExamFacets, modality: Modality, modalityFactor: number, scan: string, scanDefaulted: boolean, post: string | undefined, body: Map<string, number>): ExamQuery {
  return { facets, modality, modalityFactor, scan, scanDefaulted, post, body };
}

function candidate(item: ExamItem, score: number): ScoredCandidate {
  return { item, score };
}

/** How many candidates scoring keeps (enough for the answer, the margin and view splitting). */
export const KEEP = 12;

/** Scores the items of one modality for one exam; best first, at most KEEP. */
export function scoreExam(q: ExamQuery, index: ItemIndex): ScoredCandidate[] {
  const { modality: m, scan } = q;
  const bodies = new Map(q.body);
  // Hierarchy fall-backs: the whole-L2 region, then the "not specified" part.
  q.body.forEach((w, c) => {
    const whole = index.regionOf(c).whole;
    if (!bodies.has(whole)) bodies.set(whole, w * 0.85);
  });
  // A method the standard has for one part of the asked region only (MRCP in 上腹部 → 胰胆管, MRM in 腰椎 → 腰段脊髓).
  // From a named organ rather than the region the neighbour is a guess (直肠 HR-MRI is not 前列腺's, 胆囊 oral
  // cholecystography is 胆道's): weight 0.6, below the organ's own items with a method of the same family and below auto.
  const regions = index.regionsWithScan(m, scan);
  q.body.forEach((w, c) => {
    const { l2, whole } = index.regionOf(c);
    const neighbourWeight = c === whole ? 0.9 : 0.6;
    const region = regions?.get(l2);
    if (!region) return;
    let other: string | undefined;
    let count = 0;
    for (const p of region) {
      if (p !== c) {
        other = p;
        count++;
      }
    }
    if (count === 1 && !bodies.has(other as string)) bodies.set(other as string, w * neighbourWeight);
  });
  const unspecifiedWeight = q.body.size === 0 || q.facets.body?.unspecified ? 0.93 : 0.55;
  bodies.set(UNSPECIFIED_PART, Math.max(bodies.get(UNSPECIFIED_PART) ?? 0, unspecifiedWeight));
  let chest = false;
  for (const c of q.body.keys()) if (c.startsWith('04')) chest = true;
  // Every branch condition of the item loop is settled here, once per exam.
  const xray = m === 'DR' || m === 'MG' || m === 'RF';
  const viewsScored = m === 'DR' || m === 'MG';
  const mobile = q.facets.mobile;
  const mobileDr = mobile && m === 'DR';
  const postAsked = q.post !== undefined && q.post !== '' && q.scanDefaulted;
  const views = q.facets.views;
  const input = viewsScored ? viewQuery(views) : NO_VIEWS;
  const post = q.post ?? '00';
  const top: ScoredCandidate[] = [];
  const ordered: Array<[string, number]> = [];
  bodies.forEach((w, c) => {
    ordered.push([c, w]);
  });
  ordered.sort((a, b) => b[1] - a[1]);
  for (let k = 0; k < ordered.length; k++) {
    const l3 = (ordered[k] as [string, number])[0];
    const bw = (ordered[k] as [string, number])[1];
    const ceiling = bw * q.modalityFactor * 1.02;
    if (top.length >= KEEP && ceiling < (top[KEEP - 1] as ScoredCandidate).score) continue;
    // Parts that cannot reach 60 % of the best answer only pad the list: skip them.
    if (top.length > 0 && ceiling < (top[0] as ScoredCandidate).score * 0.6) continue;
    const list = index.indexed(m, l3);
    for (let j = 0; j < list.length; j++) {
      const e = list[j] as IndexedItem;
      const item = e.item;
      let s = bw * q.modalityFactor;
      if (item.scan === scan) s *= q.scanDefaulted ? 0.97 : 1;
      else if (item.scan === '00' && !xray && postAsked) s *= 0.95;
      else if (item.scan[0] === scan[0]) s *= 0.7;
      else s *= 0.4;
      if (!xray) {
        const pp = item.postOrPosition;
        if (pp === post) s *= 1;
        else if (post !== '00' && pp !== '00' && pp[0] === post[0]) s *= 0.9;
        else if (post !== '00' && pp === '00') s *= 0.8;
        else if (post === '00' && pp !== '00') s *= 0.7;
        else s *= 0.6;
      } else if (viewsScored) {
        s *= viewScore(input, e, chest);
      }
      if (item.deviceType === '42') s *= mobile ? 1.02 : 0.5;
      else if (mobileDr) s *= 0.99;
      if (s > 1) s = 1;
      insertTop(top, candidate(item, s));
    }
  }
  return top;
}

/** Keeps `top` sorted (score desc, then code) and at most KEEP long. */
function insertTop(top: ScoredCandidate[], c: ScoredCandidate): void {
  if (top.length >= KEEP) {
    const last = top[KEEP - 1] as ScoredCandidate;
    if (c.score < last.score || (c.score === last.score && c.item.code > last.item.code)) return;
  }
  let i = top.length;
  while (i > 0) {
    const p = top[i - 1] as ScoredCandidate;
    if (p.score > c.score || (p.score === c.score && p.item.code < c.item.code)) break;
    i--;
  }
  top.splice(i, 0, c);
  if (top.length > KEEP) top.pop();
}
