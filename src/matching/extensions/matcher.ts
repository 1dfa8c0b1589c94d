/**
 * The extension matcher: ultrasound, PET and SPECT names → items of the extension CodeSystems
 * (`us-exam-item`, `pet-exam-item`, `spect-exam-item`). The main engine hands it the lines whose
 * out-of-scope word is one of these modalities (normalize.ts `extensionFamily`); every candidate carries
 * its CodeSystem's canonical URL as `system`.
 *
 * Decisions mean what they mean in the main engine: `auto` when the name determines one item (best score
 * ≥ 0.9, ahead of the next by ≥ 0.05, and nothing in the reading left open), `review` with ranked
 * candidates otherwise, `none` when no item fits (a region the extension has no item for).
 */
import { lineDecision } from '../matcher.js';
import { normalise, normaliseText } from '../normalize.js';
import type { MatchCandidate, MatchDecision, MatchExam, MatchResult } from '../types.js';
import type { ExtensionFamily, ExtensionItem } from './items.js';
import { PetReader, SpectReader, spectProtocols, type Scored } from './nuclear.js';
import { readUs, scoreUs } from './us.js';
import { buildUsVocabulary, type UsVocabulary } from './us-vocabulary.js';

export const EXTENSION_THRESHOLDS = { auto: 0.9, margin: 0.05, review: 0.3 };

const PET_WORD = /pet/;
const US_WORD = /超声|彩超|b超|多普勒|(?<![a-z])(?:us|nt|echo|tte|tvs|trus|ceus)(?![a-z])|ultrasound|sonograph|doppler|echocardiogra|阴超|心超|声学造影|tcd|经阴道|经直肠|卵泡监测|弹性成像|消融|残余尿/;
const SPECT_WORD = /spect|(?<![a-z])ect(?![a-z])|核素|同位素|核医学|骨扫描|显像/;
const PIECES = /[+]/;

/** The extension family a (normalised) text names, PET before US before SPECT (`PET/CT…显像` is PET). */
export function familyOfText(text: string): ExtensionFamily | undefined {
  if (PET_WORD.test(text)) return 'PET';
  if (US_WORD.test(text)) return 'US';
  if (SPECT_WORD.test(text)) return 'SPECT';
  return undefined;
}

export class ExtensionMatcher {
  private readonly us: UsVocabulary;
  private readonly pet: PetReader;
  private readonly spect: SpectReader;
  readonly families: Set<ExtensionFamily>;

  constructor(items: ExtensionItem[]) {
    this.us = buildUsVocabulary(items.filter((i) => i.family === 'US'));
    this.pet = new PetReader(items.filter((i) => i.family === 'PET'));
    this.spect = new SpectReader(items.filter((i) => i.family === 'SPECT'));
    this.families = new Set(items.map((i) => i.family));
  }

  /** Matches a name (raw or already normalised) of the extension modalities. */
  match(name: string, limit = 5): MatchResult {
    // Read the text before noise removal: the main engine's noise words include 筛查 (胎儿系统筛查 is a sub-item).
    const { noise } = normalise(name);
    const text = normaliseText(name);
    const family = familyOfText(text);
    if (!family || !this.families.has(family)) {
      return { input: name, decision: 'none', source: 'engine', reason: family ? `no ${family} items loaded` : 'nothing recognised', exams: [] };
    }
    // Pieces of different families (`甲状腺彩超+全身骨显像`) are read apart; one family reads the whole line.
    const pieces = text.split(PIECES).filter(Boolean);
    const families = pieces.map((p) => familyOfText(p) ?? family);
    const groups = new Set(families).size > 1 ? pieces.map((p, i) => ({ text: p, family: families[i] as ExtensionFamily })) : [{ text, family }];
    const exams = groups.flatMap((g) => this.read(g.text, g.family, limit));
    for (const e of exams) if (noise.length) e.facets['noise'] = noise;
    if (exams.length === 0) return { input: name, decision: 'none', source: 'engine', reason: `no ${family} item for this name`, exams };
    return { input: name, decision: lineDecision(exams), source: 'engine', exams };
  }

  private read(text: string, family: ExtensionFamily, limit: number): MatchExam[] {
    if (family === 'PET') {
      const r = this.pet.read(text);
      return [present(text, r.candidates, limit, { family, ...r.facets }, r.doubt)];
    }
    if (family === 'SPECT') {
      return spectProtocols(text).map((t) => {
        const r = this.spect.read(t);
        return present(t, r.candidates, limit, { family, ...r.facets });
      });
    }
    const r = readUs(text, this.us);
    if (r.unsupported) return [{ text, decision: 'none', candidates: [], facets: { family, unsupported: r.unsupported } }];
    return r.exams.map((e) => {
      const facets: Record<string, unknown> = { family, parts: e.parts.map((p) => p.part) };
      if (e.approach) facets['approach'] = e.approach;
      if (e.sub) facets['subItem'] = e.sub;
      facets['method'] = e.method ?? '常规';
      facets['methodDefaulted'] = !e.method;
      return present(text, scoreUs(e, this.us), limit, facets, e.doubt);
    });
  }
}

function present(text: string, scored: Scored[], limit: number, facets: Record<string, unknown>, doubt?: string): MatchExam {
  const t = EXTENSION_THRESHOLDS;
  const [top, second] = scored;
  let decision: MatchDecision = 'none';
  if (top && top.score >= t.review) decision = 'review';
  if (top && !doubt && top.score >= t.auto && (!second || top.score - second.score >= t.margin)) decision = 'auto';
  if (doubt) facets['doubt'] = doubt;
  const candidates: MatchCandidate[] = decision === 'none' ? [] : scored.filter((s) => s.score >= t.review).slice(0, limit).map((s) => ({
    code: s.item.code, display: s.item.display, score: Math.round(s.score * 1000) / 1000, system: s.item.system,
  }));
  return { text, decision, candidates, facets };
}
