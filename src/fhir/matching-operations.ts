/**
 * The standardisation engine (src/matching/) over FHIR (issue 5, "Where it is exposed"):
 * - `ConceptMap/$translate` falls back to the free-text matcher when the source is free text;
 * - `CodeSystem/$find-matches` on the exam-item CodeSystem (segment properties → items);
 * - `$standardize` / `ConceptMap/$standardize` (conformance/OperationDefinition-standardize.json).
 *
 * `ExamItemMatching` holds the one matcher of the process: built from the exam-item CodeSystem the
 * registry holds (rebuilt when a new version of it or of a segment dictionary arrives), with each
 * sender's learned ConceptMap consulted first. src/main.ts shares it with the HL7 gateway.
 *
 * Free-text `$translate` answer (R4 http://hl7.org/fhir/R4/conceptmap-operation-translate.html):
 * `result`, `message` (the engine's decision, or why nothing matched), and per candidate a `match`
 * with `equivalence` (+ R5 `relationship`), `concept` (exam-item Coding), `source` (R4) and
 * `originMap` (R5) = the canonical of the `$standardize` OperationDefinition, which describes the
 * engine (there is no ConceptMap resource: the mapping is computed). The score (0..1) travels as
 * the extension `{base}/StructureDefinition/match-score` (valueDecimal) on the `match` parameter:
 * an extension may be ignored by any client, whereas an undeclared `part` would break strict
 * validation of the Parameters against the core OperationDefinition.
 */
import type { CodeSystem, ConceptMap, Parameters, ParametersParameter } from 'fhir/r4';
import { NotFoundError, NotSupportedError, TerminologyError } from '../errors.js';
import {
  createMatcher,
  examItemsFromCodeSystem,
  findMatches,
  standardizeOperation,
  withLearned,
  type ExamNameMatcher,
  type LearnedMappings,
  type MatchExam,
  type MatchResult,
} from '../matching/index.js';
import { SENDER_SYSTEM_PREFIX, LEARNED_ID_PREFIX } from '../matching/learned.js';
import { CS, codeSystemUrl } from '../standard/canonical.js';
import type { ExamItem } from '../standard/types.js';
import type { ResourceVersion } from '../store/store.js';
import type { OperationHandler, OperationRequest, OperationTable } from './operation-types.js';

export interface ExamItemMatchingOptions {
  /** Canonical base of the standard (src/standard/canonical.ts `canonicalBase()`). */
  base: string;
  /** The registry's code system lookup (latest version when no version is given). */
  findCodeSystem(url: string): CodeSystem | undefined;
  learned: LearnedMappings;
  onError?: (err: unknown) => void;
}

/** The dictionaries whose names the matcher's vocabulary is built from (items.ts). */
const DICTIONARIES = { bodyPart: CS.bodyPart, scanMethod: CS.scanMethod, postProcessing: CS.postProcessing, xrayPosition: CS.xrayPosition } as const;

export class ExamItemMatching {
  readonly system: string;
  /** The canonical reported as the `source` of free-text matches (the engine's OperationDefinition). */
  readonly engineCanonical: string;
  readonly scoreExtensionUrl: string;
  /** The matcher with learned mappings first; answers `none` while no exam-item CodeSystem is loaded. */
  readonly matcher: ExamNameMatcher;
  private engine: ExamNameMatcher | undefined;
  private state: { items: ExamItem[]; version?: string; displays: Map<string, string> } = { items: [], displays: new Map() };
  private readonly watched: Set<string>;

  constructor(private readonly o: ExamItemMatchingOptions) {
    this.system = codeSystemUrl(o.base, CS.examItem);
    this.engineCanonical = `${o.base}/OperationDefinition/standardize`;
    this.scoreExtensionUrl = `${o.base}/StructureDefinition/match-score`;
    this.watched = new Set([this.system, ...Object.values(DICTIONARIES).map((id) => codeSystemUrl(o.base, id))]);
    const current: ExamNameMatcher = {
      match: (name, options) => this.engine?.match(name, options) ?? { input: name, decision: 'none', reason: `the exam-item CodeSystem ${this.system} is not loaded`, exams: [] },
    };
    this.matcher = withLearned(current, o.learned, (code) => this.display(code));
  }

  /** (Re)builds the engine from the registry's exam-item CodeSystem; returns the item count. */
  rebuild(): number {
    const cs = this.o.findCodeSystem(this.system);
    if (!cs) {
      this.engine = undefined;
      this.state = { items: [], displays: new Map() };
      return 0;
    }
    const dictionary = (id: string) => this.o.findCodeSystem(codeSystemUrl(this.o.base, id));
    const items = examItemsFromCodeSystem(cs, {
      bodyPart: dictionary(DICTIONARIES.bodyPart),
      scanMethod: dictionary(DICTIONARIES.scanMethod),
      postProcessing: dictionary(DICTIONARIES.postProcessing),
      xrayPosition: dictionary(DICTIONARIES.xrayPosition),
    });
    this.engine = items.length > 0 ? createMatcher(items) : undefined;
    this.state = { items, ...(cs.version ? { version: cs.version } : {}), displays: new Map(items.map((i) => [i.code, i.display])) };
    return items.length;
  }

  get ready(): boolean {
    return this.engine !== undefined;
  }
  get items(): ExamItem[] {
    return this.state.items;
  }
  get version(): string | undefined {
    return this.state.version;
  }
  display(code: string): string | undefined {
    return this.state.displays.get(code);
  }

  /**
   * The sender's reviewed mapping for one local code/name when it names exactly one exam item
   * (the HL7 gateway's ConceptMap step). The display is filled from the exam items when the
   * learned map has none, so OBR-4.2 is never written empty.
   */
  learnedTarget(sender: string, text: string, localCode?: string): { code: string; display: string; system: string } | undefined {
    const targets = this.o.learned.lookup(sender, text, localCode);
    if (!targets || targets.length !== 1) return undefined;
    const [t] = targets as [{ code: string; display?: string }];
    const display = t.display || this.display(t.code);
    return display ? { code: t.code, display, system: this.system } : undefined;
  }

  /** Store changes (this process's or another's): learned maps and new exam-item content. */
  onStoreChange(versions: ResourceVersion[]): void {
    let rebuild = false;
    let reloadLearned = false;
    for (const v of versions) {
      if (v.resourceType === 'ConceptMap' && v.id.startsWith(LEARNED_ID_PREFIX)) {
        if (v.deleted) reloadLearned = true;
        else this.o.learned.apply(v.resource as ConceptMap);
      }
      if (v.resourceType === 'CodeSystem' && (v.deleted || this.watched.has((v.resource as CodeSystem).url ?? ''))) rebuild = true;
    }
    if (rebuild) this.rebuild();
    if (reloadLearned) this.o.learned.load().catch((err: unknown) => this.o.onError?.(err));
  }
}

/* ------------------------------------------------------------------------------------------ */
/* $translate fallback                                                                          */

type Param = ParametersParameter;
const find = (p: Parameters, ...names: string[]): Param | undefined => p.parameter?.find((x) => names.includes(x.name));
function primitive(p: Param | undefined): string | undefined {
  if (!p) return undefined;
  for (const [k, v] of Object.entries(p)) if (k.startsWith('value') && (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number')) return String(v);
  return undefined;
}

interface FreeTextQuery {
  text?: string;
  code?: string;
  system?: string;
  /** The request names a map explicitly (url / instance), asks in reverse, or for another target. */
  mapOrTargetElsewhere: boolean;
  /** url = the engine's canonical: the caller asks for the matcher itself. */
  engineRequested: boolean;
}

function readQuery(req: OperationRequest, m: ExamItemMatching, base: string): FreeTextQuery {
  const p = req.params;
  const cc = find(p, 'codeableConcept', 'sourceCodeableConcept')?.valueCodeableConcept;
  const coding = find(p, 'coding', 'sourceCoding')?.valueCoding ?? cc?.coding?.[0];
  const code = coding?.code ?? primitive(find(p, 'code', 'sourceCode'));
  const system = coding?.system ?? primitive(find(p, 'system', 'sourceSystem'));
  const text = (cc?.text ?? coding?.display)?.trim() || undefined;
  const url = primitive(find(p, 'url'));
  const targetSystem = primitive(find(p, 'targetsystem', 'targetSystem'));
  const targetScope = primitive(find(p, 'target', 'targetScope'));
  const reverse = primitive(find(p, 'reverse')) === 'true' || !!find(p, 'targetCode', 'targetCoding');
  const engineRequested = url === m.engineCanonical;
  const mapOrTargetElsewhere = reverse
    || req.id !== undefined
    || (url !== undefined && !engineRequested)
    || (targetSystem !== undefined && targetSystem !== m.system)
    || (targetScope !== undefined && !targetScope.startsWith(`${base}/ValueSet/exam-item`));
  return { ...(text ? { text } : {}), ...(code ? { code } : {}), ...(system ? { system } : {}), mapOrTargetElsewhere, engineRequested };
}

/**
 * Equivalence of one candidate. `auto` means the engine is confident enough to code without review:
 * its best candidate is `equivalent`, or `narrower` when the line names several exams (each item
 * covers part of the text; R4 `narrower` = target narrower than source, as in learned.ts). Anything
 * the engine is not sure of is `inexact` ("some similarity, exact relationship not known"), never
 * `equivalent`, so a client that takes the first equivalent match never auto-codes a guess.
 */
function equivalence(exam: MatchExam, rank: number, exams: number): { equivalence: string; relationship: string } {
  if (exam.decision === 'auto' && rank === 0) return exams > 1 ? { equivalence: 'narrower', relationship: 'source-is-broader-than-target' } : { equivalence: 'equivalent', relationship: 'equivalent' };
  return { equivalence: 'inexact', relationship: 'related-to' };
}

/** The free-text answer: one match per usable candidate (auto exams: the best only; review: all ranked). */
export function freeTextTranslation(result: MatchResult, m: ExamItemMatching, prefix?: string): Parameters {
  const exams = result.exams.filter((e) => e.decision !== 'none' && e.candidates.length > 0);
  const matches: Param[] = [];
  for (const exam of exams) {
    const candidates = exam.decision === 'auto' ? exam.candidates.slice(0, 1) : exam.candidates;
    candidates.forEach((c, rank) => {
      const eq = equivalence(exam, rank, exams.length);
      matches.push({
        name: 'match',
        extension: [{ url: m.scoreExtensionUrl, valueDecimal: c.score }],
        part: [
          { name: 'equivalence', valueCode: eq.equivalence },
          { name: 'relationship', valueCode: eq.relationship },
          { name: 'concept', valueCoding: { system: m.system, ...(m.version ? { version: m.version } : {}), code: c.code, display: c.display } },
          { name: 'source', valueUri: m.engineCanonical },
          { name: 'originMap', valueCanonical: m.engineCanonical },
        ],
      });
    });
  }
  const why = result.reason ? ` (${result.reason})` : '';
  const from = result.source === 'learned' ? 'a reviewed mapping of the sender' : 'the standardisation engine';
  const message = `${prefix ? `${prefix}; ` : ''}free text '${result.input}' matched by ${from}: decision ${result.decision}${why}`;
  return { resourceType: 'Parameters', parameter: [{ name: 'result', valueBoolean: matches.length > 0 }, { name: 'message', valueString: message }, ...matches] };
}

function resultOf(r: Parameters): boolean | undefined {
  return find(r, 'result')?.valueBoolean;
}

/**
 * @param mapsFrom whether some ConceptMap translates from this source system: then the engine's
 *   "no translation" stands (the code is simply not in the map) and the text is not matched.
 *   Senders' systems (`urn:rimag:sender:…`) are the exception: their learned maps are consulted
 *   first and the engine after them, by design (learned.ts).
 */
export function translateWithMatcher(engine: OperationHandler | undefined, m: ExamItemMatching, base: string, mapsFrom: (system: string) => boolean = () => false): OperationHandler {
  return async (req) => {
    const q = readQuery(req, m, base);
    const unmappedSystem = q.system === undefined || q.system.startsWith(SENDER_SYSTEM_PREFIX) || (q.system !== m.system && !mapsFrom(q.system));
    const matchText = (prefix?: string) => {
      const sender = q.system?.startsWith(SENDER_SYSTEM_PREFIX) ? q.system.slice(SENDER_SYSTEM_PREFIX.length).replace(/:name$/, '') : undefined;
      return freeTextTranslation(m.matcher.match(q.text as string, { ...(sender ? { sender } : {}), ...(q.code ? { localCode: q.code } : {}) }), m, prefix);
    };
    const usable = q.text !== undefined && m.ready && !q.mapOrTargetElsewhere && unmappedSystem;
    if (q.engineRequested) {
      if (q.text === undefined) throw new NotSupportedError(`${m.engineCanonical} translates free text: give codeableConcept.text or a coding with a display`, { expression: ['codeableConcept'] }, 400);
      if (!m.ready) throw new NotFoundError(`The exam-item CodeSystem ${m.system} is not loaded, so free text cannot be matched`);
      return matchText();
    }
    if (q.code === undefined && usable) return matchText();
    if (!engine) throw new NotSupportedError('ConceptMap/$translate is not available', {}, 400);
    let answer;
    try {
      answer = await engine(req);
    } catch (err) {
      // An unknown source system or map is not-found in the engine; free text can still be matched.
      if (usable && err instanceof TerminologyError && err.status === 404) return matchText(err.message);
      throw err;
    }
    const params = 'resourceType' in answer ? answer : answer.resource;
    if (usable && params.resourceType === 'Parameters' && resultOf(params as Parameters) === false) {
      return matchText(primitive(find(params as Parameters, 'message')) ?? `no ConceptMap translation for ${q.system ?? ''}#${q.code ?? ''}`);
    }
    return answer;
  };
}

/* ------------------------------------------------------------------------------------------ */
/* $find-matches and $standardize                                                               */

function requireReady(m: ExamItemMatching): void {
  if (!m.ready) throw new NotFoundError(`The exam-item CodeSystem ${m.system} is not loaded on this server`);
}

function findMatchesHandler(other: OperationHandler | undefined, m: ExamItemMatching, codeSystemById: (id: string) => CodeSystem | undefined): OperationHandler {
  return async (req) => {
    const system = primitive(find(req.params, 'system'));
    const instance = req.id !== undefined ? codeSystemById(req.id) : undefined;
    if (req.id !== undefined && !instance) throw new NotFoundError(`CodeSystem/${req.id} not found`);
    const forExamItem = instance ? instance.url === m.system : system === undefined || system === m.system;
    if (!forExamItem && other) return other(req);
    if (!forExamItem) throw new NotSupportedError(`$find-matches is offered for ${m.system} only, not ${instance?.url ?? system}`, {}, 400);
    requireReady(m);
    return findMatches(req.params, { items: m.items, system: m.system, version: m.version ?? '' });
  };
}

function standardizeHandler(m: ExamItemMatching): OperationHandler {
  return async (req) => {
    if (req.id !== undefined) throw new NotSupportedError('$standardize is defined at system and ConceptMap type level, not on an instance', {}, 400);
    requireReady(m);
    return standardizeOperation(req.params, { matcher: m.matcher, system: m.system, ...(m.version ? { version: m.version } : {}) });
  };
}

export interface MatchingOperationsOptions {
  matching: ExamItemMatching;
  base: string;
  codeSystemById: (id: string) => CodeSystem | undefined;
  /** Whether a ConceptMap translates from this source system (see translateWithMatcher). */
  mapsFrom?: (system: string) => boolean;
}

/** The engine's table plus the matcher-backed operations (the engine's $translate is wrapped, not replaced). */
export function withMatchingOperations(table: OperationTable, o: MatchingOperationsOptions): OperationTable {
  const standardize = standardizeHandler(o.matching);
  return {
    ...table,
    'ConceptMap/$translate': translateWithMatcher(table['ConceptMap/$translate'], o.matching, o.base, o.mapsFrom),
    'CodeSystem/$find-matches': findMatchesHandler(table['CodeSystem/$find-matches'], o.matching, o.codeSystemById),
    '$standardize': standardize,
    'ConceptMap/$standardize': standardize,
  };
}
