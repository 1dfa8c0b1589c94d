/**
 * The standardisation engine: exam name → standard exam item(s), with facets, score and decision.
 * Built once from ExamItem[] (all dictionaries and indexes are precomputed here).
 */
import type { ExamItem } from '../standard/types.js';
import { bodyFacetFrom, copyFacets, extractFacets, type BodyFacet, type ExamFacets } from './facets.js';
import { CS, DEFAULT_CANONICAL_BASE, codeSystemUrl } from '../standard/canonical.js';
import type { ExtensionMatcher } from './extensions/matcher.js';
import { extensionWordOf, isExtensionWord, namesMainModality, nonExamWord, normalise, type Normalised } from './normalize.js';
import { partsWithPost, qualifyParts, standalonePost, studyScans } from './readings.js';
import { ItemIndex, UNSPECIFIED_PART, bodyCodes, examQuery, isVascular, resolveScans, scoreExam, type ExamQuery, type ScoredCandidate } from './scoring.js';
import { splitExams, splitOffNonExams, splitPieces, takeLeadingTag } from './split.js';
import type { ExamNameMatcher, MatchDecision, MatchExam, MatchOptions, MatchResult } from './types.js';
import { buildVocabulary, MODALITIES, type BodyEntry, type Modality, type Vocabulary } from './vocabulary.js';

export interface Thresholds {
  /** Minimum score for `auto`. */
  auto: number;
  /** Minimum lead of the best candidate over the next for `auto`. */
  margin: number;
  /** Below this the exam is `none`. */
  review: number;
}

/** Calibrated on the even-hash half of the dev set (see docs/matching.md). */
export const DEFAULT_THRESHOLDS: Thresholds = { auto: 0.9, margin: 0.04, review: 0.3 };

// Module-level patterns: a literal in a function body makes a new RegExp object on every call.
/** Words that say a method was meant (imaging, contrast, perfusion) although none was recognised: never `auto` on the default method. */
const UNWRITTEN_METHOD_HINT = /成像|造影|增强|灌注|功能|斑块|显像|测定|定量|扫描|序列|多参数|动态|pi-?rads|dose|contrast|enhanc|angio|perfusion|spectral|dual/;
const SIDE_AND_PUNCTUATION = /[左右双侧()\[\]+,、;\/:-]/g;
const CONTRAST_STUDY = /造影/;

const MODALITY_ALIASES: Record<string, Modality> = {
  ct: 'CT', '2': 'CT', mr: 'MR', mri: 'MR', '3': 'MR', dr: 'DR', dx: 'DR', cr: 'DR', '4': 'DR', mg: 'MG', rf: 'RF', xa: 'RF',
};

/** One exam read for one modality and method: the scoring query (less its body-part weights) and its ranked candidates. */
interface ResolvedExam extends Omit<ExamQuery, 'body'> {
  candidates: ScoredCandidate[];
}

export interface EngineOptions {
  thresholds?: Thresholds;
  /** Canonical URL of the exam-item CodeSystem the items come from (every candidate's `system`). */
  system?: string;
  /** Reads the lines of ultrasound, PET and SPECT names (else they are `none`). */
  extensions?: ExtensionMatcher;
}

export class StandardisationEngine implements ExamNameMatcher {
  readonly vocabulary: Vocabulary;
  readonly index: ItemIndex;
  readonly thresholds: Thresholds;
  readonly system: string;
  readonly extensions: ExtensionMatcher | undefined;

  constructor(items: ExamItem[], options: EngineOptions = {}) {
    this.thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.system = options.system ?? codeSystemUrl(DEFAULT_CANONICAL_BASE, CS.examItem);
    this.extensions = options.extensions;
    this.vocabulary = buildVocabulary(items);
    this.index = new ItemIndex(items, this.vocabulary.positionAtoms);
  }

  match(name: string, options: MatchOptions = {}): MatchResult {
    const limit = options.limit ?? 5;
    const norm = normalise(name);
    if (norm.nonExam) {
      const ext = this.extensions && extensionWordOf(norm.text) ? this.extensionLine(name, norm.text, options) : undefined;
      return ext ?? this.lineWithNonExams(name, norm, options);
    }
    const { text, tag } = takeLeadingTag(norm.text);
    const groups = splitExams(text, this.vocabulary);
    if (groups.length === 0) return { input: name, decision: 'none', source: 'engine', reason: 'nothing recognised', exams: [] };
    const facets: ExamFacets[] = [];
    for (const g of groups) facets.push(extractFacets(g.text, this.vocabulary, g.bodyHits));
    this.shareFacets(facets, tag);
    if (!options.modality && !facets.some(recognised)) {
      return { input: name, decision: 'none', source: 'engine', reason: 'nothing recognised', exams: [] };
    }
    const option = options.modality ? MODALITY_ALIASES[options.modality.toLowerCase()] : undefined;
    const lineModality = facets.find((f) => f.modality)?.modality;
    const exams: MatchExam[] = [];
    for (const f of facets) {
      const first = exams.length;
      for (const r of this.resolve(f, option, lineModality)) {
        // One text read as the same item by two of its methods (`水成像(MRCP…)-MRCP`) is one exam.
        if (exams.length > first && readBefore(exams, first, r.candidates[0]?.item.code)) continue;
        exams.push(this.present(r, norm.noise, limit));
      }
    }
    if (exams.length === 0) return { input: name, decision: 'none', source: 'engine', reason: 'nothing recognised', exams };
    return { input: name, decision: lineDecision(exams), source: 'engine', exams };
  }

  /**
   * A line with a billing/service word or an out-of-scope exam: `none`, unless it also names exams in other
   * pieces (`胸部CT+胶片`, `乳腺钼靶+乳腺彩超`); those are read, and each other piece stays on the line as a
   * `none` exam, so the line is never `auto`.
   */
  private lineWithNonExams(name: string, norm: Normalised, options: MatchOptions): MatchResult {
    const split = splitOffNonExams(norm.text, nonExamWord);
    const read = split ? this.match(split.text, options) : undefined;
    if (!split || !read || read.exams.length === 0) {
      return {
        input: name, decision: 'none', source: 'engine', reason: `not an exam (${norm.nonExam})`,
        exams: [{ text: norm.text, decision: 'none', candidates: [], facets: { nonExam: norm.nonExam, noise: norm.noise } }],
      };
    }
    for (const d of split.dropped) read.exams.push(...this.droppedPiece(d, options.limit ?? 5));
    return { input: name, decision: lineDecision(read.exams), source: 'engine', exams: read.exams };
  }

  /**
   * A line the extension matcher reads (its own pieces and parts): no CT/MR/X-ray word, and no piece without an
   * out-of-scope word that names a modality of this engine (`乳腺钼靶+乳腺彩超` is mixed: undefined, read piecewise by
   * lineWithNonExams; `前列腺B超+残余尿` is not). Pieces with another out-of-scope or billing word (`心脏彩超+心电图`,
   * `甲状腺彩超+胶片`) stay on the line as `none` exams, so the line is never `auto`.
   */
  private extensionLine(name: string, text: string, options: MatchOptions): MatchResult | undefined {
    const extensions = this.extensions as ExtensionMatcher;
    if (namesMainModality(text)) return undefined;
    const split = splitOffNonExams(text, nonExamWord);
    if (split && this.match(split.text, { ...options, limit: 1 }).exams.some((e) => e.facets['modalitySource'] === 'explicit')) return undefined;
    const pieces = splitPieces(text).map((p) => ({ text: p.text, word: nonExamWord(p.text) }));
    // A billing word wins over an extension word in its piece (`彩超报告费`, `B超加收`): nonExamWord tests billing first.
    const others = pieces.filter((p) => p.word && !isExtensionWord(p.word));
    if (others.length === 0) return extensions.match(name, options.limit ?? 5);
    const rest = pieces.filter((p) => !others.includes(p)).map((p) => p.text).join('+');
    if (!rest) return undefined;
    const read = extensions.match(rest, options.limit ?? 5);
    if (read.exams.length === 0) return undefined;
    const exams = [...read.exams, ...others.map((p): MatchExam => ({ text: p.text, decision: 'none', candidates: [], facets: { nonExam: p.word } }))];
    return { input: name, decision: lineDecision(exams), source: 'engine', exams };
  }

  /** A piece split off a mixed line: an ultrasound/PET/SPECT piece is read by the extension matcher, any other is `none`. */
  private droppedPiece(d: { text: string; word: string }, limit: number): MatchExam[] {
    const read = this.extensions && isExtensionWord(d.word) ? this.extensions.match(d.text, limit) : undefined;
    if (read && read.exams.length > 0) return read.exams;
    return [{ text: d.text, decision: 'none', candidates: [], facets: { nonExam: d.word } }];
  }

  /** Pieces that only name a body part borrow the method/views of the next exam (`颈椎、腰椎正侧位`). */
  private shareFacets(facets: ExamFacets[], tag: string | undefined): void {
    const tagBody = tag ? extractFacets(tag, this.vocabulary).body : undefined;
    for (let i = 0; i < facets.length; i++) {
      const f = facets[i] as ExamFacets;
      if (tagBody && !tagBody.unspecified) {
        if (!f.body || f.body.unspecified) f.body = bodyFacetFrom(tagBody);
        else if (!sameRegion(tagBody.entry, f.body.entry)) f.conflict = `tag [${tag}] names another region than ${f.body.term}`;
      }
      // A bare part shares the method/views written once for the list: after it (颈椎、腰椎正侧位), else before it (CT平扫胸部+腹部).
      const next = facets[i + 1];
      const prev = facets[i - 1];
      const donor = next && !bare(next) ? next : prev && !bare(prev) ? prev : undefined;
      // Only a piece that says nothing but the part (and side) borrows: `髌骨30/60/90度` has its own detail.
      if (donor && f.body && !f.modality && bare(f) && onlyPart(f.text, f.body)) {
        f.scanWords = donor.scanWords.map((w) => ({ term: w.term, word: w.word, inParens: w.inParens, start: -1 }));
        f.posts = donor.posts;
        f.views = donor.views;
        f.viewTerms = donor.viewTerms;
      }
    }
  }

  private modalityChoices(f: ExamFacets, option: Modality | undefined, line: Modality | undefined): ModalityChoice[] {
    if (option) return [choice(option, 1, 'option')];
    if (f.modality) return [choice(refineXray(f, f.modality), 1, 'explicit')];
    if (line) return [choice(refineXray(f, line), 0.98, 'line')];
    const implied = new Set<Modality>();
    for (const s of f.scanWords) if (!s.word.weak) for (const k of Object.keys(s.word.codes)) implied.add(k as Modality);
    if (implied.size === 0 && f.scanWords.some((s) => s.word.codes.RF)) implied.add('RF');
    // A contrast study (造影) that names no CT/MR word is an X-ray contrast study (`四肢关节造影`), as the RF items read.
    if (implied.size > 1 && implied.has('RF') && CONTRAST_STUDY.test(f.text)) return [choice('RF', 0.95, 'scan')];
    // Post-processing (appendix E) exists for CT only.
    if (implied.size === 0 && f.posts.length > 0) implied.add('CT');
    if (implied.size === 1) return [choice([...implied][0] as Modality, 0.95, 'scan')];
    if (f.views.length > 0) return [choice(refineXray(f, 'DR'), 0.98, 'view')];
    const list: Modality[] = implied.size > 0 ? MODALITIES.filter((m) => implied.has(m)) : ['CT', 'MR'];
    const out: ModalityChoice[] = [];
    for (let i = 0; i < list.length; i++) out.push(choice(list[i] as Modality, 0.85 - 0.01 * i, 'none'));
    return out;
  }

  private resolve(f: ExamFacets, option: Modality | undefined, line: Modality | undefined): ResolvedExam[] {
    const choices = this.modalityChoices(f, option, line);
    if (choices.length === 1) return this.resolveIn(f, choices[0] as ModalityChoice);
    // Modality unknown: the reading whose exams score best on average.
    let best: { exams: ResolvedExam[]; quality: number } | undefined;
    for (let i = 0; i < choices.length; i++) {
      const exams = this.resolveIn(f, choices[i] as ModalityChoice);
      const quality = exams.reduce((s, e) => s + (e.candidates[0]?.score ?? 0), 0) / Math.max(1, exams.length);
      if (!best || quality > best.quality + 1e-9) best = { exams, quality };
    }
    return best?.exams ?? [];
  }

  private resolveIn(f: ExamFacets, c: ModalityChoice): ResolvedExam[] {
    const facets = copyFacets(f);
    facets.modalitySource = c.source;
    facets.modality = c.modality;
    return this.resolveFor(facets, c.modality, c.factor);
  }

  private resolveFor(f: ExamFacets, m: Modality, modalityFactor: number): ResolvedExam[] {
    let body = bodyCodes(f);
    if (body.size === 0) {
      const hint = f.scanWords.find((s) => s.word.body && !s.inParens)?.word.body?.[0];
      const entry = hint ? this.vocabulary.body.get(hint) : undefined;
      if (entry) {
        const hinted = copyFacets(f);
        hinted.body = bodyFacetFrom({ term: hint as string, entry });
        body = bodyCodes(hinted);
      }
    }
    // A method that names its part (钡餐 → 上消化道, IVP → 全泌尿系) adds that part as a candidate (on the side written).
    for (const s of f.scanWords) {
      if (s.inParens || !s.word.codes[m] || !s.word.body || f.body?.entry.name === s.word.body[0]) continue;
      const entry = this.vocabulary.body.get(s.word.body[0] as string);
      if (!entry) continue;
      body = new Map(body);
      const side = f.body?.lat && entry.codes.has(f.body.lat) ? f.body.lat : undefined;
      for (const [lat, m2] of entry.codes) if (!side || lat === side) for (const [c, w] of m2) body.set(c, Math.max(body.get(c) ?? 0, w * 0.95));
    }
    body = qualifyParts(body, f.text, this.vocabulary);
    let { scans, defaulted } = resolveScans(f, m, this.index, body);
    if (body.size === 0 && !defaulted) body = this.bodyImpliedByScan(m, scans[0] as string);
    if (m === 'CT' || m === 'MR') scans = studyScans(f, scans, defaulted, body, m, this.index, this.vocabulary);
    // Post-processing (appendix E, CT only) goes with the first method named; a quantitative or simulation
    // post-processing (钙化积分, FFR, QCT, CTVE) is an item of its own where the method has none with it
    // (and the whole exam when the name writes no method: `冠脉CT-FFR`).
    const standalone = m === 'CT' && f.posts.length > 0 ? standalonePost(f.posts, body, scans[0] as string, this.index) : undefined;
    const firstPost = m === 'CT' && !standalone ? f.posts[0]?.code || undefined : undefined;
    const out: ResolvedExam[] = [];
    const count = standalone && defaulted ? 0 : scans.length;
    for (let i = 0; i < count; i++) {
      let scan = scans[i] as string;
      let codes = body;
      if (isVascular(m, scan)) ({ scan, codes } = this.vesselBody(f, m, scan, body));
      const q = examQuery(f, m, modalityFactor, scan, defaulted, i === 0 ? firstPost : undefined, codes);
      const r = resolved(q, scoreExam(q, this.index));
      const split = this.splitViews(r, q);
      if (split === undefined) out.push(r);
      else out.push(...split);
    }
    if (standalone) out.push(this.postExam(f, modalityFactor, standalone, body));
    return out;
  }

  /** The post-processing item of its own (scan 00): of the part when it has one, else of the unspecified part. */
  private postExam(f: ExamFacets, modalityFactor: number, post: string, body: Map<string, number>): ResolvedExam {
    const q = examQuery(f, 'CT', modalityFactor, '00', false, post, partsWithPost(post, body, this.index));
    return resolved(q, scoreExam(q, this.index));
  }

  /** Where the standard has a method for one body part only (T管造影 → 胆道), the method names the part. */
  private bodyImpliedByScan(m: Modality, scan: string): Map<string, number> {
    const parts = this.index.bodyByScan.get(`${m}|${scan}`);
    return parts && parts.size === 1 ? new Map([[[...parts][0] as string, 0.95]]) : new Map();
  }

  /** A vessel study: the vessel named in the text (or the region's vessel), artery or vein. */
  private vesselBody(f: ExamFacets, m: Modality, scan: string, body: Map<string, number>): { scan: string; codes: Map<string, number> } {
    // A vascular method the named part itself has (颅脑 TRICKS) stays with the part.
    for (const c of body.keys()) if (this.index.has(m, c, scan)) return { scan, codes: body };
    const vesselCodes = [...body.keys()].filter((c) => c.startsWith('08'));
    if (vesselCodes.length > 0) {
      const generic = f.scanWords.every((s) => s.word.vascular === 'generic' || !s.word.vascular);
      const veinOnly = vesselCodes.every((c) => /静脉$/.test(this.index.itemsOf(m, c)[0]?.bodyPartL3Name ?? '') || this.index.has(m, c, m === 'CT' ? '34' : '32') && !this.index.has(m, c, m === 'CT' ? '33' : '31'));
      if (generic && veinOnly) scan = m === 'CT' ? '34' : '32';
      return { scan, codes: body };
    }
    if (!f.vessel) return { scan, codes: new Map() };
    const venous = m === 'CT' ? scan === '34' || scan === '35' : ['32', '34', '36'].includes(scan);
    const codes = new Map<string, number>();
    for (const c of venous ? f.vessel.stem.V : f.vessel.stem.A) codes.set(c, 1);
    if (codes.size === 0) for (const c of venous ? f.vessel.stem.A : f.vessel.stem.V) codes.set(c, 0.8);
    return { scan, codes };
  }

  /** X-ray views that no single item covers (`出入口位`, `正位、切线位`) become one exam per item; undefined when `r` stays one exam. */
  private splitViews(r: ResolvedExam, q: ExamQuery): ResolvedExam[] | undefined {
    const views = r.facets.views;
    const top = r.candidates[0];
    if ((r.modality !== 'DR' && r.modality !== 'MG') || views.length < 2 || !top) return undefined;
    const atomsOf = (i: ExamItem) => this.vocabulary.positionAtoms.get(i.postOrPosition) ?? [];
    if (atomsOf(top.item).join('|') === views.join('|')) return undefined;
    const parts = [...new Set(r.candidates.slice(0, 12).map((c) => c.item.bodyPartL3))].filter((p) => p !== '999999');
    for (const part of parts) {
      const pool = this.index.itemsOf(r.modality, part).filter((i) => i.deviceType === top.item.deviceType);
      const remaining = new Set(views);
      const picked: ExamItem[] = [];
      for (const item of [...pool].sort((a, b) => atomsOf(b).length - atomsOf(a).length)) {
        const atoms = atomsOf(item);
        if (atoms.length > 0 && atoms.every((a) => remaining.has(a))) {
          picked.push(item);
          atoms.forEach((a) => remaining.delete(a));
        }
      }
      if (picked.length >= 2 && remaining.size === 0) {
        // Each view group is scored as an exam of its own (its views, the same part and method).
        return picked.map((item) => {
          const facets = copyFacets(r.facets);
          facets.views = atomsOf(item);
          const candidates = scoreExam(withFacets(q, facets), this.index);
          const own = candidates.find((c) => c.item.code === item.code);
          return resolved(withFacets(q, facets), own ? [own, ...candidates.filter((c) => c !== own)] : [{ item, score: top.score }, ...candidates]);
        });
      }
    }
    return undefined;
  }

  private present(r: ResolvedExam, noise: string[], limit: number): MatchExam {
    const { candidates, facets: f } = r;
    const top = candidates[0];
    const second = candidates[1];
    const t = this.thresholds;
    let decision: MatchDecision = 'none';
    if (top && top.score >= t.review) decision = 'review';
    const explicit = f.modalitySource === 'explicit' || f.modalitySource === 'option' || f.modalitySource === 'line' || f.modalitySource === 'view';
    const part = (f.body && !f.body.unspecified) || (isVascular(r.modality, r.scan) && f.vessel);
    // A specific part named but answered with the unspecified part (999999): the part was not understood, never `auto`.
    const partLost = !!f.body && !f.body.unspecified && top?.item.bodyPartL3 === UNSPECIFIED_PART;
    const xray = r.modality === 'DR' || r.modality === 'MG';
    if (top && top.score >= t.auto && (!second || top.score - second.score >= t.margin) && explicit && part && !partLost && !f.conflict && !(xray && f.views.length === 0 && r.modality === 'DR') && (!r.scanDefaulted || xray || (f.posts.length === 0 && !UNWRITTEN_METHOD_HINT.test(f.text)))) decision = 'auto';
    const facets: Record<string, unknown> = {
      modality: r.modality,
      modalitySource: f.modalitySource,
      scan: r.scan,
      scanDefaulted: r.scanDefaulted,
      scanWords: f.scanWords.map((s) => s.term),
    };
    if (Object.keys(f.device).length) facets['device'] = f.device;
    if (f.body) facets['bodyPart'] = { term: f.body.term, l3: top?.item.bodyPartL3, laterality: f.body.lat ?? (f.body.latAmbiguous ? 'ambiguous' : undefined), unspecified: f.body.unspecified || undefined };
    if (f.vessel && isVascular(r.modality, r.scan)) facets['vessel'] = f.vessel.term;
    if (r.post) facets['postProcessing'] = r.post;
    if (f.views.length) facets['views'] = f.views;
    if (noise.length) facets['noise'] = noise;
    if (f.conflict) facets['conflict'] = f.conflict;
    return {
      text: f.text,
      decision,
      candidates: candidates.slice(0, limit).map((c) => ({ code: c.item.code, display: c.item.display, score: Math.round(c.score * 1000) / 1000, system: this.system })),
      facets,
    };
  }
}

/** A line is `auto` when all its exams are, `none` when all are (or it has none), else `review`. */
export function lineDecision(exams: MatchExam[]): MatchDecision {
  if (exams.length === 0) return 'none';
  const first = (exams[0] as MatchExam).decision;
  for (let i = 1; i < exams.length; i++) if ((exams[i] as MatchExam).decision !== first) return 'review';
  return first;
}

/** Something in the text says what the exam is (else the line is `none`, "nothing recognised"). */
function recognised(f: ExamFacets): boolean {
  return !!f.modality || (!!f.body && !f.body.unspecified) || f.scanWords.length > 0 || f.views.length > 0 || f.posts.length > 0;
}

/** An exam read from the same text (from index `from`) already answers with this item. */
function readBefore(exams: MatchExam[], from: number, code: string | undefined): boolean {
  if (code === undefined) return false;
  for (let i = from; i < exams.length; i++) if ((exams[i] as MatchExam).candidates[0]?.code === code) return true;
  return false;
}

/** No method, post-processing or view written. */
function bare(f: ExamFacets): boolean {
  return f.scanWords.length === 0 && f.posts.length === 0 && f.views.length === 0;
}

/** A modality to read the exam in, how sure it is (a factor of the score), and where it came from. */
interface ModalityChoice {
  modality: Modality;
  factor: number;
  source: ExamFacets['modalitySource'];
}

function choice(modality: Modality, factor: number, source: ExamFacets['modalitySource']): ModalityChoice {
  return { modality, factor, source };
}

/** The exam scored from a query (the query less its body-part weights). */
function resolved(q: ExamQuery, candidates: ScoredCandidate[]): ResolvedExam {
  return { facets: q.facets, modality: q.modality, modalityFactor: q.modalityFactor, scan: q.scan, scanDefaulted: q.scanDefaulted, post: q.post, candidates };
}

/** The query for other facets of the same exam. */
function withFacets(q: ExamQuery, facets: ExamFacets): ExamQuery {
  return examQuery(facets, q.modality, q.modalityFactor, q.scan, q.scanDefaulted, q.post, q.body);
}

/** Only the part (and side, brackets, separators) is written outside the body word. */
function onlyPart(text: string, body: BodyFacet): boolean {
  return body.start >= 0 && (text.slice(0, body.start) + text.slice(body.end)).replace(SIDE_AND_PUNCTUATION, '').length === 0;
}

const breastEntries = new WeakMap<BodyEntry, boolean>();

/** A body word with a breast code (L2 0408); entries are built once, so the answer is kept. */
function isBreast(entry: BodyEntry): boolean {
  let known = breastEntries.get(entry);
  if (known === undefined) {
    known = [...entry.codes.values()].some((m) => [...m.keys()].some((c) => c.startsWith('0408')));
    breastEntries.set(entry, known);
  }
  return known;
}

/** X-ray words on a breast part mean MG; with a contrast study, RF. */
function refineXray(f: ExamFacets, m: Modality): Modality {
  if (m !== 'DR') return m;
  if (f.body && isBreast(f.body.entry)) return 'MG';
  if (f.scanWords.some((s) => !s.word.weak && s.word.codes.RF) || CONTRAST_STUDY.test(f.text)) return 'RF';
  return m;
}

/** Two body words share a level-1 region (头部, 胸部 …) in at least one of their codes. */
function sameRegion(a: BodyEntry, b: BodyEntry): boolean {
  const l1 = (e: BodyEntry) => new Set([...e.codes.values()].flatMap((m) => [...m.keys()].map((c) => c.slice(0, 2))));
  const x = l1(a);
  for (const c of l1(b)) if (x.has(c)) return true;
  return false;
}

export function createMatcher(items: ExamItem[], options?: EngineOptions): StandardisationEngine {
  return new StandardisationEngine(items, options);
}
