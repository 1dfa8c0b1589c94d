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
  extensionItemsFromCodeSystem,
  ExtensionMatcher,
  findMatches,
  lineDecision,
  standardizeOperation,
  withLearned,
  type ExamNameMatcher,
  type ExtensionItem,
  type LearnedMappings,
  type MatchDecision,
  type MatchExam,
  type MatchResult,
} from '../matching/index.js';
import { SENDER_SYSTEM_PREFIX, LEARNED_ID_PREFIX, type StoredTarget } from '../matching/learned.js';
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
/** The extension item lists (ultrasound, PET, SPECT) the extension matcher reads, and the US dictionaries it names segments from. */
const EXTENSION_ITEMS = [CS.usExamItem, CS.petExamItem, CS.spectExamItem] as const;
const US_DICTIONARIES = { approach: 'us-approach', subItem: 'us-subitem' } as const;

interface MatchingState {
  items: ExamItem[];
  version?: string;
  /** Every loaded item (exam-item and extensions) by code: the targets a reviewer may choose. */
  targets: Map<string, { system: string; display: string }>;
  versions: Map<string, string>;
}
const emptyState = (): MatchingState => ({ items: [], targets: new Map(), versions: new Map() });

export class ExamItemMatching {
  readonly system: string;
  /** Canonical URLs of the extension item CodeSystems (us-/pet-/spect-exam-item): candidates of the extension matcher. */
  readonly extensionSystems: string[];
  /** The canonical reported as the `source` of free-text matches (the engine's OperationDefinition). */
  readonly engineCanonical: string;
  readonly scoreExtensionUrl: string;
  /** The matcher with learned mappings first; answers `none` while no exam-item CodeSystem is loaded. */
  readonly matcher: ExamNameMatcher;
  private engine: ExamNameMatcher | undefined;
  private state: MatchingState = emptyState();
  private readonly watched: Set<string>;

  constructor(private readonly o: ExamItemMatchingOptions) {
    this.system = codeSystemUrl(o.base, CS.examItem);
    this.engineCanonical = `${o.base}/OperationDefinition/standardize`;
    this.scoreExtensionUrl = `${o.base}/StructureDefinition/match-score`;
    this.extensionSystems = EXTENSION_ITEMS.map((id) => codeSystemUrl(o.base, id));
    this.watched = new Set([this.system, ...this.extensionSystems, ...[...Object.values(DICTIONARIES), ...Object.values(US_DICTIONARIES)].map((id) => codeSystemUrl(o.base, id))]);
    const current: ExamNameMatcher = {
      match: (name, options) => this.engine?.match(name, options) ?? { input: name, decision: 'none', reason: `the exam-item CodeSystem ${this.system} is not loaded`, exams: [] },
    };
    this.matcher = withLearned(current, o.learned, (code, system) => this.target(code, system)?.display);
  }

  /** (Re)builds the engine from the registry's exam-item CodeSystem; returns the item count. */
  rebuild(): number {
    const cs = this.o.findCodeSystem(this.system);
    if (!cs) {
      this.engine = undefined;
      this.state = emptyState();
      return 0;
    }
    const dictionary = (id: string) => this.o.findCodeSystem(codeSystemUrl(this.o.base, id));
    const items = examItemsFromCodeSystem(cs, {
      bodyPart: dictionary(DICTIONARIES.bodyPart),
      scanMethod: dictionary(DICTIONARIES.scanMethod),
      postProcessing: dictionary(DICTIONARIES.postProcessing),
      xrayPosition: dictionary(DICTIONARIES.xrayPosition),
    });
    const versions = new Map<string, string>(cs.version ? [[this.system, cs.version]] : []);
    const extensionItems = this.extensionItems(versions);
    const extensions = extensionItems.length > 0 ? new ExtensionMatcher(extensionItems) : undefined;
    this.engine = items.length > 0 ? createMatcher(items, { system: this.system, ...(extensions ? { extensions } : {}) }) : undefined;
    const targets = new Map<string, { system: string; display: string }>([
      ...items.map((i) => [i.code, { system: this.system, display: i.display }] as const),
      ...extensionItems.map((i) => [i.code, { system: i.system, display: i.display }] as const),
    ]);
    this.state = { items, ...(cs.version ? { version: cs.version } : {}), targets, versions };
    return items.length;
  }

  /** The items of the US/PET/SPECT item CodeSystems the registry holds (none loaded: their names stay `none`). */
  private extensionItems(versions: Map<string, string>): ExtensionItem[] {
    const us = { approach: this.o.findCodeSystem(codeSystemUrl(this.o.base, US_DICTIONARIES.approach)), subItem: this.o.findCodeSystem(codeSystemUrl(this.o.base, US_DICTIONARIES.subItem)) };
    const items = this.extensionSystems.flatMap((url) => {
      const cs = this.o.findCodeSystem(url);
      if (cs?.version) versions.set(url, cs.version);
      return cs ? extensionItemsFromCodeSystem(cs, { ...(us.approach ? { approach: us.approach } : {}), ...(us.subItem ? { subItem: us.subItem } : {}) }) : [];
    });
    return items;
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
  /** The exam-item's display (exam-item codes only). */
  display(code: string): string | undefined {
    return this.target(code, this.system)?.display;
  }
  /**
   * A reviewable target: the item of `code` in exam-item or an extension item CodeSystem (their code
   * spaces are disjoint: 14-digit `2…`–`4…` exam items, `50U…` US, 12-character `A0…/B0…` PET, 13-character
   * `C0…` SPECT), or only in `system` when one is given. Undefined when no loaded CodeSystem has it.
   */
  target(code: string, system?: string): { system: string; code: string; display: string } | undefined {
    const hit = this.state.targets.get(code);
    if (!hit || (system !== undefined && hit.system !== system)) return undefined;
    return { system: hit.system, code, display: hit.display };
  }
  /** Whether `system` is one of the matcher's CodeSystems (exam-item or an extension). */
  knowsSystem(system: string): boolean {
    return system === this.system || this.extensionSystems.includes(system);
  }
  /** The loaded version of one of the matcher's CodeSystems (exam-item or an extension). */
  versionOf(system: string): string | undefined {
    return this.state.versions.get(system);
  }

  /**
   * The sender's reviewed mapping for one local code/name when it names exactly one exam item
   * (the HL7 gateway's ConceptMap step). The display is filled from the exam items when the
   * learned map has none, so OBR-4.2 is never written empty.
   */
  learnedTarget(sender: string, text: string, localCode?: string): { code: string; display: string; system: string } | undefined {
    const targets = this.o.learned.lookup(sender, text, localCode);
    if (!targets || targets.length !== 1) return undefined;
    const [t] = targets as [StoredTarget];
    const display = t.display || this.target(t.code, t.system)?.display;
    return display ? { code: t.code, display, system: t.system } : undefined;
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
  /** The one CodeSystem matches must come from (targetsystem, or the target ValueSet's system). */
  onlySystem?: string;
}

/**
 * The system a target ValueSet of the standard names: `exam-item-us|pet|spect` the extension item lists, any other
 * `exam-item…` value set the exam-item CodeSystem (valuesets/ compose them that way); else undefined.
 */
function systemOfTargetScope(scope: string, m: ExamItemMatching, base: string): string | undefined {
  const prefix = `${base}/ValueSet/exam-item`;
  if (!scope.startsWith(prefix)) return undefined;
  const rest = scope.slice(prefix.length).replace(/\|.*$/, '');
  const ext = ({ '-us': CS.usExamItem, '-pet': CS.petExamItem, '-spect': CS.spectExamItem } as Record<string, string>)[rest];
  return ext ? codeSystemUrl(base, ext) : m.system;
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
  const scopeSystem = targetScope !== undefined ? systemOfTargetScope(targetScope, m, base) : undefined;
  const mapOrTargetElsewhere = reverse
    || req.id !== undefined
    || (url !== undefined && !engineRequested)
    || (targetSystem !== undefined && !m.knowsSystem(targetSystem))
    || (targetScope !== undefined && scopeSystem === undefined)
    || (targetSystem !== undefined && scopeSystem !== undefined && targetSystem !== scopeSystem);
  const onlySystem = targetSystem ?? scopeSystem;
  return { ...(text ? { text } : {}), ...(code ? { code } : {}), ...(system ? { system } : {}), mapOrTargetElsewhere, engineRequested, ...(onlySystem ? { onlySystem } : {}) };
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

/**
 * The result with only the candidates of one CodeSystem (the request's target): an exam left without candidates
 * is `none`, so an ultrasound name asked for exam-item gets no match, and a CT name asked for us-exam-item neither.
 */
export function restrictToSystem(result: MatchResult, system: string): MatchResult {
  const exams = result.exams.map((e) => {
    const candidates = e.candidates.filter((c) => c.system === system);
    return candidates.length === e.candidates.length ? e : { ...e, decision: (candidates.length > 0 ? e.decision : 'none') as MatchDecision, candidates };
  });
  const decision = lineDecision(exams);
  const dropped = exams.some((e, i) => e !== result.exams[i]);
  return { ...result, exams, decision, ...(dropped && decision === 'none' ? { reason: `no candidate in ${system}` } : {}) };
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
          { name: 'concept', valueCoding: conceptOf(c, m) },
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

/** The match's Coding: the candidate's own CodeSystem (exam-item or an extension) and its loaded version. */
function conceptOf(c: { code: string; display: string; system: string }, m: ExamItemMatching): { system: string; version?: string; code: string; display: string } {
  const version = m.versionOf(c.system);
  return { system: c.system, ...(version ? { version } : {}), code: c.code, display: c.display };
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
      const result = m.matcher.match(q.text as string, { ...(sender ? { sender } : {}), ...(q.code ? { localCode: q.code } : {}) });
      return freeTextTranslation(q.onlySystem ? restrictToSystem(result, q.onlySystem) : result, m, prefix);
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
