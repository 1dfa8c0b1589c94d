/**
 * Facet extraction for one exam's text: modality, device hints, body part with laterality,
 * vessel, scan words, post-processing, X-ray views.
 */
import type { ScanWord } from './synonyms.js';
import { DEVICE_HINT, DEVICE_PATTERNS, MODALITY_PATTERNS } from './synonyms.js';
import type { TermHit } from './dictionary.js';
import { bodyHits, type BodyEntry, type Lat, type Modality, type VesselStem, type Vocabulary } from './vocabulary.js';

export interface BodyFacet {
  term: string;
  entry: BodyEntry;
  start: number;
  end: number;
  lat?: Lat;
  /** Sides listed as alternatives (`左/右`). */
  lats?: Lat[];
  /** Several sides named (`左/右`), or none named for a paired part. */
  latAmbiguous: boolean;
  /** The text says "other/unspecified part". */
  unspecified: boolean;
}

export interface ExamFacets {
  text: string;
  modality?: Modality;
  modalitySource: 'explicit' | 'option' | 'line' | 'scan' | 'view' | 'none';
  device: Record<string, string>;
  mobile: boolean;
  body?: BodyFacet;
  vessel?: { term: string; stem: VesselStem };
  scanWords: Array<{ term: string; word: ScanWord; inParens: boolean; start: number }>;
  posts: Array<{ term: string; code: string }>;
  views: string[];
  viewTerms: string[];
  /** Evidence that contradicts the reading (e.g. a department tag naming another region): never `auto`. */
  conflict?: string;
}

// Sides: 左/右/双(侧), and the Latin marks L/R written before a part (`R膝关节`) or in brackets after it (`(R)`).
const SIDE_BEFORE = /(左侧|右侧|双侧|左|右|双)$/;
/** `R膝关节`: a lone Latin l/r right before the part (not the end of a word such as `mr`). */
function latinSideBefore(before: string): Lat | undefined {
  if (before.length === 0) return undefined;
  const c = before.charCodeAt(before.length - 1);
  if (c !== 0x6c && c !== 0x72) return undefined; // l, r
  const p = before.length > 1 ? before.charCodeAt(before.length - 2) : 0;
  return p >= 0x61 && p <= 0x7a ? undefined : c === 0x6c ? 'L' : 'R';
}
const MULTI_SIDE_BEFORE = /(?:左|右|双)(?:侧)?[\/或](?:左|右|双)(?:侧)?(?:[\/或](?:左|右|双)(?:侧)?)?$/;
const SIDE_AFTER = /^\((左|右|双|l|r)侧?\)/;
const SIDE_OF: Record<string, Lat> = { 左: 'L', 左侧: 'L', 右: 'R', 右侧: 'R', 双: 'B', 双侧: 'B', l: 'L', r: 'R' };
const TOMO_PATTERNS = MODALITY_PATTERNS.filter((p) => p.modality === 'CT' || p.modality === 'MR');
const XRAY_PATTERNS = MODALITY_PATTERNS.filter((p) => p.modality !== 'CT' && p.modality !== 'MR');

// Module-level patterns: a literal in a function body makes a new RegExp object on every call.
/** `c` alone or before a bracket (`c(胸部)`): CT. */
const LONE_C = /^c(?:\(|$)/;
/** A slice thickness (`5mm`) is written for CT. */
const SLICE_THICKNESS = /\d+(?:\.\d+)?mm/;
const SIDE_CHARS = /[左右双]/g;
const SIDE_MARKS = /\((左|右|双|l|r)侧?\)|左侧|右侧|双侧/g;
const SIDE_MARK_DECORATION = /[()侧]/g;
/** A bare side closing the exam's text after its part (`肘关节MR左`): HIS forms append the side as a last field. */
const SIDE_AT_END = /(?<![左右双])(左|右|双)侧?$/;
/** English side words anywhere (`MRI Knee Right`, `X-ray hand left`). */
const ENGLISH_SIDE = /(?<![a-z])(left|right|bilateral)(?![a-z])/;
const SIDE_OF_ENGLISH: Record<string, Lat> = { left: 'L', right: 'R', bilateral: 'B' };

/** Explicit modality in the text, earliest mention wins; MG/RF are preferred over plain X-ray words. */
export function detectModality(text: string): Modality | undefined {
  return readModality(text).modality;
}

/** The modality named, and whether CT and MR are both named (conflicting evidence). */
export function readModality(text: string): { modality: Modality | undefined; conflict: boolean } {
  let best: Modality | undefined;
  let bestAt = 0;
  let tomo = 0;
  for (const { modality, re } of TOMO_PATTERNS) {
    const hit = re.exec(text);
    if (!hit) continue;
    tomo++;
    if (!best || hit.index < bestAt) {
      best = modality;
      bestAt = hit.index;
    }
  }
  if (best) return { modality: best, conflict: tomo > 1 };
  if (LONE_C.test(text) || SLICE_THICKNESS.test(text)) return { modality: 'CT', conflict: false };
  // X-ray words only count when CT and MR are not named; the first pattern that matches (MG and RF before DR).
  for (const { modality, re } of XRAY_PATTERNS) if (re.test(text)) return { modality, conflict: false };
  return { modality: undefined, conflict: false };
}

export function detectDevice(text: string): { device: Record<string, string>; mobile: boolean } {
  const device: Record<string, string> = {};
  let mobile = false;
  if (!DEVICE_HINT.test(text)) return { device, mobile };
  for (const { name, re } of DEVICE_PATTERNS) {
    const m = re.exec(text);
    if (!m) continue;
    if (name === 'mobile') mobile = true;
    device[name] = m[0];
  }
  return { device, mobile };
}

const sidedEntries = new WeakMap<BodyEntry, boolean>();

/** A paired part: the word has codes for more than one side (L, R, B). Entries are built once: the answer is kept. */
function hasSides(e: BodyEntry): boolean {
  let known = sidedEntries.get(e);
  if (known === undefined) {
    const lats = new Set(e.codes.keys());
    lats.delete('N');
    known = lats.size > 1;
    sidedEntries.set(e, known);
  }
  return known;
}

const unspecifiedEntries = new WeakMap<BodyEntry, boolean>();

/** The word names only the "other/unspecified" part (999999). Entries are built once: the answer is kept. */
export function isUnspecifiedEntry(e: BodyEntry): boolean {
  let known = unspecifiedEntries.get(e);
  if (known === undefined) {
    known = [...e.codes.values()].every((m) => m.has('999999') && m.size === 1);
    unspecifiedEntries.set(e, known);
  }
  return known;
}

/**
 * The body part of an exam: the first specific one named; of adjacent words (`右手拇指`) the last,
 * which is the head of the phrase in Chinese. Returns the hit and where its word chain starts.
 */
function pickBody(hits: Array<TermHit<BodyEntry>>): { hit: TermHit<BodyEntry>; chainStart: number } | undefined {
  let i = hits.findIndex((h) => !isUnspecifiedEntry(h.value));
  if (i < 0) return hits[0] ? { hit: hits[0], chainStart: hits[0].start } : undefined;
  // A one-character word (心, 手, 脑 …) is weak evidence: a later word of two or more characters wins.
  if ((hits[i] as TermHit<BodyEntry>).term.length === 1) {
    const first = hits[i] as TermHit<BodyEntry>;
    // (an adjacent word is the same phrase and is handled below)
    const longer = hits.findIndex((h, k) => k > i && h.term.length >= 2 && !isUnspecifiedEntry(h.value) && h.start !== first.end);
    if (longer > i) i = longer;
  }
  // Adjacent words name one part: the longer word is the more specific (颈胸段脊柱, 右手拇指); ties → the later.
  let j = i;
  let best = i;
  while (hits[j + 1] && (hits[j + 1] as TermHit<BodyEntry>).start === (hits[j] as TermHit<BodyEntry>).end && !isUnspecifiedEntry((hits[j + 1] as TermHit<BodyEntry>).value)) {
    j++;
    if ((hits[j] as TermHit<BodyEntry>).term.length >= (hits[best] as TermHit<BodyEntry>).term.length) best = j;
  }
  return { hit: hits[best] as TermHit<BodyEntry>, chainStart: (hits[i] as TermHit<BodyEntry>).start };
}

/** L1 (2 digits) and L2 (4 digits) of the codes a body word can name, vessels and 999999 aside. */
function partLevels(e: BodyEntry): { l1: Set<string>; l2: Set<string> } {
  const l1 = new Set<string>();
  const l2 = new Set<string>();
  for (const m of e.codes.values()) {
    for (const c of m.keys()) {
      if (c === '999999') continue;
      l1.add(c.slice(0, 2));
      l2.add(c.slice(0, 4));
    }
  }
  return { l1, l2 };
}

const disjoint = (a: Set<string>, b: Set<string>) => {
  for (const x of a) if (b.has(x)) return false;
  return true;
};
const SIDE_CHAR_BEFORE = /[左右双]$/;

/**
 * Another part the exam's text names that the reading drops (`胸腹部CT`, `头胸CT`, `颈胸腰椎MR`, `双手双足正位`):
 * the answer covers one part of several, so it is never `auto`. A word run into the picked one (a phrase)
 * counts when it lies in another L1 region (头胸, 胸腹; not 影像中心胸部 or 右手拇指); a separate word when it
 * lies in another L2 region and is not a lone character (心 in 中心) unless a side marks it (双足).
 * Not counted: words in brackets (they refine: `(肝胆胰脾)`, `(KUB)`), inside a post-processing word
 * (`支气管三维重建`), spine levels (`骶1`, `S1`), and any word of a vessel study (`头颈CTA` names one territory).
 */
function unreadPart(text: string, hits: Array<TermHit<BodyEntry>>, picked: TermHit<BodyEntry>, skip: (h: TermHit<BodyEntry>) => boolean): string | undefined {
  if (hits.length < 2) return undefined;
  const mine = partLevels(picked.value);
  if (mine.l1.size === 0 || mine.l1.has('08')) return undefined;
  const k = hits.indexOf(picked);
  let lo = k;
  let hi = k;
  while (lo > 0 && (hits[lo - 1] as TermHit<BodyEntry>).end === (hits[lo] as TermHit<BodyEntry>).start) lo--;
  while (hi < hits.length - 1 && (hits[hi + 1] as TermHit<BodyEntry>).start === (hits[hi] as TermHit<BodyEntry>).end) hi++;
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i] as TermHit<BodyEntry>;
    if (i === k || isUnspecifiedEntry(h.value) || skip(h)) continue;
    const other = partLevels(h.value);
    if (other.l1.size === 0 || other.l1.has('08')) continue;
    const inPhrase = i >= lo && i <= hi;
    if (inPhrase ? disjoint(other.l1, mine.l1) : disjoint(other.l2, mine.l2) && (h.term.length > 1 || SIDE_CHAR_BEFORE.test(text.slice(0, h.start)))) return h.term;
  }
  return undefined;
}

/** Another side written before another mention of the same part word, if any. */
function otherSide(text: string, hits: Array<TermHit<BodyEntry>>, picked: TermHit<BodyEntry>, lat: Lat): Lat | undefined {
  for (const h of hits) {
    if (h === picked || h.value !== picked.value) continue;
    const m = SIDE_BEFORE.exec(text.slice(Math.max(0, h.start - 2), h.start));
    const side = m ? SIDE_OF[m[1] as string] : undefined;
    if (side && side !== lat) return side;
  }
  return undefined;
}

function readLaterality(text: string, hit: TermHit<BodyEntry>, chainStart: number): { lat?: Lat; lats?: Lat[]; ambiguous: boolean } {
  const before = text.slice(Math.max(0, chainStart - 8), chainStart);
  const multi = MULTI_SIDE_BEFORE.exec(before);
  if (multi) return { ambiguous: true, lats: [...new Set((multi[0].match(SIDE_CHARS) ?? []).map((c) => SIDE_OF[c] as Lat))] };
  const m = SIDE_BEFORE.exec(before);
  if (m) return { lat: SIDE_OF[m[1] as string], ambiguous: false };
  const latin = latinSideBefore(before);
  if (latin) return { lat: latin, ambiguous: false };
  const after = SIDE_AFTER.exec(text.slice(hit.end));
  if (after) return { lat: SIDE_OF[after[1] as string], ambiguous: false };
  const sides = text.match(SIDE_MARKS);
  if (sides && new Set(sides.map((s) => s.replace(SIDE_MARK_DECORATION, ''))).size === 1) {
    return { lat: SIDE_OF[(sides[0] as string).replace(SIDE_MARK_DECORATION, '')], ambiguous: false };
  }
  const tail = SIDE_AT_END.exec(text.slice(hit.end));
  if (tail) return { lat: SIDE_OF[tail[1] as string], ambiguous: false };
  const english = ENGLISH_SIDE.exec(text);
  if (english) return { lat: SIDE_OF_ENGLISH[english[1] as string], ambiguous: false };
  return { ambiguous: hasSides(hit.value) };
}

type ViewHit = TermHit<string[]>;

/** A run of view atoms reads as a view when it ends in 位/片, contains 位, or holds a named (multi-character) view. */
function readsAsView(text: string, run: ViewHit[]): boolean {
  if (run.length === 0) return false;
  const first = run[0] as ViewHit;
  const last = run[run.length - 1] as ViewHit;
  const next = text[last.end];
  if (next === '位' || next === '片') return true;
  if (text.slice(first.start, last.end).includes('位')) return true;
  for (const h of run) if (h.term.length >= 2) return true;
  return false;
}

const VIEW_GAP = /^[、,和及与\/+位]*$/;

const isLatinCode = (c: number): boolean => c >= 0x61 && c <= 0x7a;
/** A hit whose Latin word runs on into more letters of the text. */
const runsOn = (text: string) => (h: { term: string; end: number }): boolean =>
  isLatinCode(h.term.charCodeAt(h.term.length - 1)) && isLatinCode(text.charCodeAt(h.end));

/** Views: the first run of view atoms that reads as a view. */
function readViews(text: string, from: number, vocab: Vocabulary): { atoms: string[]; terms: string[] } {
  // A Latin view word does not run on into more letters (`ap` is not the `ap` in `mammography`); it may follow
  // a word with no space, as HIS names glue them (`Chestap.`).
  let hits = vocab.views.scan(text, from);
  if (hits.length === 0) return { atoms: [], terms: [] };
  const runsOnHere = runsOn(text);
  if (hits.some(runsOnHere)) hits = hits.filter((h) => !runsOnHere(h));
  if (hits.length === 0) return { atoms: [], terms: [] };
  let run: ViewHit[] = [];
  for (const h of hits) {
    const prev = run[run.length - 1];
    if (prev && !VIEW_GAP.test(text.slice(prev.end, h.start))) {
      if (readsAsView(text, run)) break;
      run = [];
    }
    run.push(h);
  }
  if (!readsAsView(text, run)) return { atoms: [], terms: [] };
  const atoms = new Set<string>();
  const terms: string[] = [];
  for (const h of run) {
    for (const a of h.value) atoms.add(a);
    terms.push(h.term);
  }
  return { atoms: [...atoms].sort(), terms };
}

/** Bracket depth at each character (for words written as a parenthetical detail). */
const LEVEL_DIGIT = /[0-9]/;
/** A word in brackets, or a spine level (`骶1`, `s1`, `腰3`: a digit in or right after it). */
function inBracketsOrLevel(text: string, h: TermHit<BodyEntry>): boolean {
  if (LEVEL_DIGIT.test(text.charAt(h.end)) || LEVEL_DIGIT.test(h.term)) return true;
  let depth = 0;
  for (let i = 0; i < h.start; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b) depth++;
    else if ((c === 0x29 || c === 0x5d) && depth > 0) depth--;
  }
  return depth > 0;
}

function parenDepths(text: string): Uint8Array {
  const d = new Uint8Array(text.length);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b) depth++; // ( [
    d[i] = depth;
    if ((c === 0x29 || c === 0x5d) && depth > 0) depth--; // ) ]
  }
  return d;
}

/** A copy of `f` (one object shape for every exam, so the readers stay monomorphic; a spread would make another). */
export function copyFacets(f: ExamFacets): ExamFacets {
  return {
    text: f.text,
    modality: f.modality,
    modalitySource: f.modalitySource,
    device: f.device,
    mobile: f.mobile,
    body: f.body,
    vessel: f.vessel,
    scanWords: f.scanWords,
    posts: f.posts,
    views: f.views,
    viewTerms: f.viewTerms,
    conflict: f.conflict,
  };
}

/** A body facet read from elsewhere than the exam's text (a leading tag, a method that names its part): no position. */
export function bodyFacetFrom(b: Pick<BodyFacet, 'term' | 'entry'> & Partial<BodyFacet>): BodyFacet {
  return { term: b.term, entry: b.entry, start: -1, end: -1, lat: b.lat, lats: b.lats, latAmbiguous: b.latAmbiguous ?? false, unspecified: b.unspecified ?? false };
}

/** The facets of one exam's text; `hits` are its body-part hits when the caller already has them (the split does). */
export function extractFacets(text: string, vocab: Vocabulary, hits: Array<TermHit<BodyEntry>> = bodyHits(vocab, text)): ExamFacets {
  const { modality, conflict } = readModality(text);
  const { device, mobile } = detectDevice(text);
  const picked = pickBody(hits);
  let body: BodyFacet | undefined;
  if (picked) {
    const bodyHit = picked.hit;
    let { lat, lats, ambiguous } = readLaterality(text, bodyHit, picked.chainStart);
    // The same part named again with another side (`左膝/右膝`): the sides are alternatives, as in `左/右膝`.
    const again = lat ? otherSide(text, hits, bodyHit, lat) : undefined;
    if (again) ({ lat, lats, ambiguous } = { lat: undefined, lats: [lat as Lat, again], ambiguous: true });
    const unspecified = isUnspecifiedEntry(bodyHit.value);
    body = { term: bodyHit.term, entry: bodyHit.value, start: bodyHit.start, end: bodyHit.end, lat, lats, latAmbiguous: ambiguous, unspecified };
  }
  const vesselHit = vocab.vessels.first(text);
  const postHits = vocab.posts.scan(text);
  let scanHits = vocab.scans.scan(text);
  // A method word inside a longer post-processing word (`ctv` in `ctve`) is not a method.
  if (postHits.length > 0 && scanHits.length > 0) scanHits = scanHits.filter((h) => !postHits.some((p) => h.start < p.end && p.start < h.end && p.term.length > h.term.length));
  const depth = scanHits.length > 0 ? parenDepths(text) : undefined;
  const scanWords: ExamFacets['scanWords'] = [];
  for (const h of scanHits) scanWords.push({ term: h.term, word: h.value, inParens: (depth?.[h.start] ?? 0) > 0, start: h.start });
  const posts: ExamFacets['posts'] = [];
  for (const h of postHits) posts.push({ term: h.term, code: h.value });
  const vascular = scanWords.some((w) => w.word.vascular !== undefined);
  const dropped = picked && !vascular && hits.length > 1 ? unreadPart(text, hits, picked.hit, (h) => inBracketsOrLevel(text, h) || postHits.some((p) => h.start < p.end && p.start < h.end)) : undefined;
  let { atoms, terms } = readViews(text, body ? body.end : 0, vocab);
  if (atoms.length === 0 && body && body.start > 0) ({ atoms, terms } = readViews(text.slice(0, body.start), 0, vocab));
  // One object shape for every exam (absent facets are undefined, not missing): the readers stay monomorphic.
  return {
    text,
    modality,
    modalitySource: modality ? 'explicit' : 'none',
    device,
    mobile,
    body,
    vessel: vesselHit ? { term: vesselHit.term, stem: vesselHit.value } : undefined,
    scanWords,
    posts,
    views: atoms,
    viewTerms: terms,
    conflict: conflict ? 'both CT and MR are named' : dropped ? `another part named and not read: ${dropped}` : undefined,
  };
}
