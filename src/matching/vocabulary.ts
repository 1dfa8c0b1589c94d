/**
 * Dictionaries of the matcher, derived from the standard's own items (L3 names, the body-part
 * text of every item's display, scan/post-processing/position names and their abbreviations)
 * plus the domain synonym lists of synonyms.ts. Built once per matcher.
 */
import type { ExamItem } from '../standard/types.js';
import { TermDictionary, type TermHit } from './dictionary.js';
import { normaliseText } from './normalize.js';
import { BODY_ALIASES, POST_WORDS, SCAN_WORDS, VESSEL_STEM_ALIASES, VIEW_ALIASES, type ScanWord } from './synonyms.js';

export type Lat = 'N' | 'L' | 'R' | 'B';
export type Modality = 'CT' | 'MR' | 'DR' | 'MG' | 'RF';
export const MODALITIES: Modality[] = ['CT', 'MR', 'DR', 'MG', 'RF'];

/** Marks an alias target as the enclosing segment (see BODY_ALIASES), and that target's weight. */
const SEGMENT_MARK = '~';
const SEGMENT_WEIGHT = 0.8;

/** One body-part word: L3 codes per laterality with a preference weight. */
export interface BodyEntry {
  name: string;
  codes: Map<Lat, Map<string, number>>;
  /** Post-processing words the body word sits in (肺 in 肺结节) and its offset there; set on every entry (one object shape). */
  inPosts: Array<{ word: string; offset: number }> | undefined;
}

export interface VesselStem {
  A: string[];
  V: string[];
}

export interface Vocabulary {
  body: TermDictionary<BodyEntry>;
  vessels: TermDictionary<VesselStem>;
  scans: TermDictionary<ScanWord>;
  posts: TermDictionary<string>;
  views: TermDictionary<string[]>;
  /** Position code → atom set key (sorted atoms joined by '|'), per X-ray position code. */
  positionAtoms: Map<string, string[]>;
  /** Body words that occur inside a view name (胸 in 穿胸位): only these need the view check. */
  bodyWordsInViews: Set<string>;
  /**
   * Parts the standard names with a qualifier (`颅脑[外伤]`): the plain part's code → the qualifier
   * word and the qualified part's code. A name that says the qualifier anywhere (`头颅CT(外伤)`) means the qualified part.
   */
  qualifiedParts: Map<string, Array<{ qualifier: string; code: string }>>;
  /** Any qualifier word of qualifiedParts (one test per exam before looking at its parts). */
  qualifierWords: RegExp;
}

const LAT_PREFIX = /^(左侧|右侧|双侧|左|右|双)(.+)$/;
const LAT_OF: Record<string, Lat> = { 左侧: 'L', 左: 'L', 右侧: 'R', 右: 'R', 双侧: 'B', 双: 'B' };

/** Modality label of an item as the matcher uses it (移动DR is DR with device 42). */
export function itemModality(item: ExamItem): Modality {
  const m = item.modality.toUpperCase();
  if (m === 'CT' || m === 'MR' || m === 'MG' || m === 'RF') return m;
  return 'DR';
}

/** Strips laterality: `左肩关节` → ['L', '肩关节']. */
export function splitLaterality(name: string): [Lat, string] {
  const m = LAT_PREFIX.exec(name);
  if (!m || (m[2] as string).length < 1) return ['N', name];
  return [LAT_OF[m[1] as string] as Lat, m[2] as string];
}

/** The body-part text of a display: `* DR左腕关节正、侧位` → `左腕关节`. */
export function displayBodyText(item: ExamItem): string {
  let d = normaliseText(item.display).replace(/^\*/, '');
  d = d.replace(/^(移动dr|ct|mr|dr|mg|rf)/, '');
  d = d.replace(/\[[^\]]*\]$/, '');
  const paren = d.indexOf('(');
  if (paren >= 0) d = d.slice(0, paren);
  const strip = (s: string) => {
    const n = normaliseText(s).replace(/\([^)]*\)/g, '');
    if (n && d.endsWith(n)) d = d.slice(0, d.length - n.length);
  };
  strip(item.postOrPositionName);
  strip(item.scanName);
  if (itemModality(item) === 'MG') strip('钼靶');
  return d;
}

function addCode(entry: BodyEntry, lat: Lat, code: string, weight: number): void {
  let m = entry.codes.get(lat);
  if (!m) entry.codes.set(lat, (m = new Map()));
  m.set(code, Math.max(m.get(code) ?? 0, weight));
}

function buildBody(items: ExamItem[]): { body: TermDictionary<BodyEntry>; entries: Map<string, BodyEntry> } {
  const entries = new Map<string, BodyEntry>();
  const entry = (name: string) => {
    let e = entries.get(name);
    if (!e) entries.set(name, (e = { name, codes: new Map(), inPosts: undefined }));
    return e;
  };
  for (const item of items) {
    // Vessel items' displays read `<stem>动脉血管成像`: their stems are vessel words (buildVessels), not body parts.
    const names = item.bodyPartL1 === '08' ? [normaliseText(item.bodyPartL3Name)] : [normaliseText(item.bodyPartL3Name), displayBodyText(item)];
    for (const n of names) {
      if (!n || n.length > 12) continue;
      const [lat, base] = splitLaterality(n);
      addCode(entry(base), lat, item.bodyPartL3, 1);
    }
  }
  const body = new TermDictionary<BodyEntry>();
  for (const e of entries.values()) body.add(e.name, e);
  for (const [alias, targets] of Object.entries(BODY_ALIASES)) {
    const a = normaliseText(alias);
    const merged: BodyEntry = { name: a, codes: new Map(), inPosts: undefined };
    const own = entries.get(a);
    if (own) for (const [lat, m] of own.codes) for (const [c, w] of m) addCode(merged, lat, c, w);
    targets.forEach((t, i) => {
      // `~part`: the segment a part lies in, for modalities that lack the part itself (跟骨 → ~足): weak, never ahead of the part.
      const segment = t.startsWith(SEGMENT_MARK);
      const name = normaliseText(segment ? t.slice(SEGMENT_MARK.length) : t);
      const target = entries.get(name) ?? entries.get(splitLaterality(name)[1]);
      if (!target) return;
      const weight = segment ? SEGMENT_WEIGHT : 1 - 0.03 * i;
      for (const [lat, m] of target.codes) for (const [c, w] of m) addCode(merged, lat, c, w * weight);
    });
    if (merged.codes.size > 0) body.add(a, merged);
  }
  return { body: body.build(), entries };
}

function buildVessels(entries: Map<string, BodyEntry>): TermDictionary<VesselStem> {
  const stems = new Map<string, VesselStem>();
  for (const e of entries.values()) {
    const codes = [...(e.codes.get('N')?.keys() ?? [])].filter((c) => c.startsWith('08'));
    if (codes.length === 0) continue;
    const m = /^(.*?)(动静脉|动脉|静脉)$/.exec(e.name);
    if (!m || !m[1]) continue;
    const stem = m[1];
    let s = stems.get(stem);
    if (!s) stems.set(stem, (s = { A: [], V: [] }));
    if (m[2] !== '静脉') s.A.push(...codes);
    if (m[2] !== '动脉') s.V.push(...codes);
  }
  const dict = new TermDictionary<VesselStem>();
  for (const [stem, v] of stems) {
    dict.add(stem, v);
    if (stem.length > 2 && stem.endsWith('部') && !stems.has(stem.slice(0, -1))) dict.add(stem.slice(0, -1), v);
  }
  for (const [alias, stem] of Object.entries(VESSEL_STEM_ALIASES)) {
    const v = stems.get(stem);
    if (v && !stems.has(alias)) dict.add(alias, v);
  }
  return dict.build();
}

function buildScans(items: ExamItem[]): TermDictionary<ScanWord> {
  const words = new Map<string, ScanWord>();
  for (const [w, def] of Object.entries(SCAN_WORDS)) words.set(normaliseText(w), { ...def, codes: { ...def.codes } });
  for (const item of items) {
    const m = itemModality(item);
    if (!item.scanName || m === 'DR' && item.scan === '00') continue;
    const n = normaliseText(item.scanName);
    const forms = [n, n.replace(/\([^)]*\)/g, '')];
    const abbr = /\(([^)]*)\)/.exec(n)?.[1];
    if (abbr) forms.push(abbr, ...abbr.split('/'));
    for (const f of forms) {
      // Combined methods (平扫+DWI, CTA+CTV) are recognised from their parts and recombined
      // only where the standard has the combined item for that body part (scoring.resolveScans).
      if (!f || f.length < 2 || f.includes('+')) continue;
      let w = words.get(f);
      if (!w) words.set(f, (w = { codes: {} }));
      if (!w.codes[m]) w.codes[m] = item.scan;
      if (/动脉|cta|mra/.test(f) && !w.vascular) w.vascular = 'A';
      else if (/静脉|ctv|mrv/.test(f) && !w.vascular) w.vascular = 'V';
    }
  }
  const dict = new TermDictionary<ScanWord>();
  // Every word gets all four fields (absent ones undefined): one object shape for the per-name readers.
  for (const [w, def] of words) dict.add(w, { codes: def.codes, vascular: def.vascular, weak: def.weak, body: def.body });
  return dict.build();
}

function buildPosts(items: ExamItem[]): TermDictionary<string> {
  const dict = new TermDictionary<string>();
  for (const [w, c] of Object.entries(POST_WORDS)) dict.add(normaliseText(w), c);
  for (const item of items) {
    if (itemModality(item) !== 'CT' || item.postOrPosition === '00' || !item.postOrPositionName) continue;
    const n = normaliseText(item.postOrPositionName);
    for (const f of [n, n.replace(/\([^)]*\)/g, ''), /\(([^)]*)\)/.exec(n)?.[1] ?? '']) {
      if (f.length >= 2 && !dict.has(f)) dict.add(f, item.postOrPosition);
    }
  }
  return dict.build();
}

/** View atoms: the pieces position names are made of (正, 侧, 双斜, 前屈后伸, 张口 …). */
const VIEW_ATOMS = [
  '前屈后伸', '左右侧屈', '内外侧斜', '内外侧', '上下轴', '水平侧', '髁间窝', '后前斜', '左前斜', '右前斜', '侧斜', '左斜', '右斜', '双斜',
  '切线', '张口', '闭口', '入口', '出口', '穿胸', '外展', '蛙式', '汤氏', '瓦氏', '华氏', '柯-华氏', '柯氏', '拉氏', '前弓', '后前', '前后',
  '站立', '负重', '立卧', '倒立', '仰卧', '随机', '头尾', '轴斜', '90°', '薄骨', '左闭孔', '右闭孔', '全景', 'y', '正', '侧', '斜', '轴', '立', '卧',
];

function buildViews(items: ExamItem[]): { views: TermDictionary<string[]>; positionAtoms: Map<string, string[]> } {
  const views = new TermDictionary<string[]>();
  for (const a of VIEW_ATOMS) views.add(a, [a]);
  for (const [w, atoms] of Object.entries(VIEW_ALIASES)) views.add(normaliseText(w), atoms);
  views.build();
  const positionAtoms = new Map<string, string[]>();
  for (const item of items) {
    if (!item.deviceType.startsWith('4') || item.postOrPosition === '00' || !item.postOrPositionName) continue;
    if (positionAtoms.has(item.postOrPosition)) continue;
    const atoms = views.scan(normaliseText(item.postOrPositionName)).flatMap((h) => h.value);
    positionAtoms.set(item.postOrPosition, [...new Set(atoms)].sort());
  }
  return { views, positionAtoms };
}

/**
 * Body-part words outside view names (`穿胸位` and `头尾位` are views, not the chest or the head).
 */
export function bodyHits(vocab: Vocabulary, text: string): Array<TermHit<BodyEntry>> {
  const hits = vocab.body.scan(text);
  if (!hits.some((h) => vocab.bodyWordsInViews.has(h.term))) return hits;
  const views = vocab.views.scan(text).filter((v) => v.term.length >= 2);
  if (views.length === 0) return hits;
  return hits.filter((h) => !views.some((v) => h.start < v.end && v.start < h.end && v.term.length >= h.term.length));
}

const QUALIFIED = /^(.+)\[([^\]]+)\]$/;

/** `颅脑[外伤]` (010104) qualifies `颅脑` (010100): found from the L3 names of the items. */
function buildQualifiedParts(items: ExamItem[]): Map<string, Array<{ qualifier: string; code: string }>> {
  const byName = new Map<string, string>();
  for (const item of items) byName.set(normaliseText(item.bodyPartL3Name), item.bodyPartL3);
  const out = new Map<string, Array<{ qualifier: string; code: string }>>();
  for (const [name, code] of byName) {
    const m = QUALIFIED.exec(name);
    const plain = m ? byName.get(m[1] as string) : undefined;
    if (!m || !plain || plain === code) continue;
    // `开闭口位`-style qualifiers that are views, not conditions, are read by the view dictionary instead.
    const qualifier = (m[2] as string).replace(/位$/, '');
    let list = out.get(plain);
    if (!list) out.set(plain, (list = []));
    list.push({ qualifier, code });
  }
  return out;
}

/**
 * Whether a piece names a part of its own: `肺结节分析` names the lung only inside a post-processing word,
 * so in `胸部CT平扫+肺结节分析` it details the chest exam rather than starting a lung exam.
 */
export function namesOwnPart(hits: Array<TermHit<BodyEntry>>, text: string): boolean {
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i] as TermHit<BodyEntry>;
    const inPosts = h.value.inPosts;
    if (!inPosts || !inPosts.some((p) => text.startsWith(p.word, h.start - p.offset))) return true;
  }
  return false;
}

export function buildVocabulary(items: ExamItem[]): Vocabulary {
  const { body, entries } = buildBody(items);
  const { views, positionAtoms } = buildViews(items);
  const bodyWordsInViews = new Set<string>();
  for (const atom of [...VIEW_ATOMS, ...Object.keys(VIEW_ALIASES)]) {
    if (atom.length < 2) continue;
    for (const h of body.scan(normaliseText(atom))) bodyWordsInViews.add(h.term);
  }
  const posts = buildPosts(items);
  for (const word of posts.terms()) {
    for (const h of body.scan(word)) if (h.term.length < word.length) (h.value.inPosts ??= []).push({ word, offset: h.start });
  }
  const qualifiedParts = buildQualifiedParts(items);
  const qualifiers = [...qualifiedParts.values()].flat().map((q) => q.qualifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const qualifierWords = qualifiers.length > 0 ? new RegExp(qualifiers.join('|')) : /$^/;
  return { body, vessels: buildVessels(entries), scans: buildScans(items), posts, views, positionAtoms, bodyWordsInViews, qualifiedParts, qualifierWords };
}
