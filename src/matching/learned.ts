/**
 * Learned mappings: reviewed decisions per sender (institution), kept as that sender's ConceptMap
 * in the store, and consulted before the engine. No retraining: a confirmed or corrected mapping
 * is used next time the sender sends the same local code or the same (normalised) name.
 *
 * ConceptMap layout (one per sender, id `learned-<slug>`):
 * - groups with source `urn:rimag:sender:<sender>` (the sender's local codes), one per target system
 *   (exam-item, us-exam-item, pet-exam-item, spect-exam-item: a group has a single target system)
 * - groups with source `urn:rimag:sender:<sender>:name` (normalised local names as codes), likewise
 * Each element has one target per exam (`equivalent`; `narrower` when the line names several exams),
 * or a single `unmatched` target (in the exam-item group) when the reviewer decided the line is not a
 * standard exam. A decision whose exams lie in several systems (`胸部CT平扫+甲状腺彩超`) is one element
 * per system, same source code, in each system's group; every target carries its position in the
 * reviewer's list as the extension `{base}/StructureDefinition/learned-target-order` (valueInteger,
 * 0-based), and a lookup merges the elements back into one decision in that order (targets without it,
 * as in maps written before extension targets existed, keep their element order: they are one group).
 */
import { createHash } from 'node:crypto';
import type { ConceptMap, ConceptMapGroup, ConceptMapGroupElement, ConceptMapGroupElementTarget } from 'fhir/r4';
import type { ResourceStore } from '../store/store.js';
import { CS, DEFAULT_CANONICAL_BASE, EXAM_ITEM_VERSION, codeSystemUrl, conceptMapUrl } from '../standard/canonical.js';
import { normalise } from './normalize.js';
import type { ExamNameMatcher, MatchOptions, MatchResult } from './types.js';

export const LEARNED_ID_PREFIX = 'learned-';
export const SENDER_SYSTEM_PREFIX = 'urn:rimag:sender:';

export function senderCodeSystem(sender: string): string {
  return `${SENDER_SYSTEM_PREFIX}${sender}`;
}
export function senderNameSystem(sender: string): string {
  return `${SENDER_SYSTEM_PREFIX}${sender}:name`;
}

/** FHIR ids allow [A-Za-z0-9-.]{1,64}: readable part + hash of the exact sender id. */
export function learnedMapId(sender: string): string {
  const readable = sender.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32);
  const hash = createHash('sha256').update(sender).digest('hex').slice(0, 10);
  return `${LEARNED_ID_PREFIX}${readable ? readable + '-' : ''}${hash}`;
}

/**
 * The key a name is remembered under: normalised, noise removed (so `胸部CT(医保)` = `胸部CT`), and
 * without the spaces the engine keeps between Latin words (keys stay what they were before it kept them).
 */
export function nameKey(name: string): string {
  return normalise(name).text.replace(LATIN_WORD_SPACE, '');
}

const LATIN_WORD_SPACE = / /g;

export interface LearnedTarget {
  code: string;
  display?: string;
  /** The target's CodeSystem; absent in a decision = exam-item. Always set on what `lookup` returns. */
  system?: string;
}

/** A remembered target: its system is always known. */
export type StoredTarget = LearnedTarget & { system: string };

export interface ReviewedDecision {
  sender: string;
  name: string;
  localCode?: string;
  /** One code per exam; empty = reviewed as "not a standard exam". */
  targets: LearnedTarget[];
  /** Who reviewed (recorded in the element's comment and the write's actor). */
  reviewer?: string;
}

interface Remembered {
  targets: StoredTarget[];
  reviewer?: string;
}

export interface LearnedOptions {
  canonicalBase?: string;
  examItemVersion?: string;
}

export class LearnedMappings {
  private readonly byCode = new Map<string, Remembered>();
  private readonly byName = new Map<string, Remembered>();
  private readonly base: string;
  private readonly version: string;

  constructor(private readonly store: ResourceStore, options: LearnedOptions = {}) {
    this.base = options.canonicalBase ?? DEFAULT_CANONICAL_BASE;
    this.version = options.examItemVersion ?? EXAM_ITEM_VERSION;
  }

  /** Reads every learned ConceptMap from the store into memory. */
  async load(): Promise<number> {
    this.byCode.clear();
    this.byName.clear();
    const maps = await this.store.listCurrent('ConceptMap');
    let n = 0;
    for (const v of maps) {
      if (v.deleted || !v.id.startsWith(LEARNED_ID_PREFIX)) continue;
      this.apply(v.resource as ConceptMap);
      n++;
    }
    return n;
  }

  /**
   * Indexes one learned ConceptMap (also for changes seen through `store.watch`). The elements of one
   * source code in the groups of several target systems are merged into one decision first.
   */
  apply(map: ConceptMap): void {
    for (const [key, remembered] of decisionsOf(map, this.orderUrl)) {
      (key.isName ? this.byName : this.byCode).set(`${key.sender}\u0000${key.code}`, remembered);
    }
  }

  /** The remembered decision for this sender: by local code first, then by normalised name. */
  lookup(sender: string, name: string, localCode?: string): StoredTarget[] | undefined {
    if (localCode) {
      const hit = this.byCode.get(`${sender}\u0000${localCode}`);
      if (hit) return hit.targets;
    }
    return this.byName.get(`${sender}\u0000${nameKey(name)}`)?.targets;
  }

  /**
   * Stores a reviewed decision in the sender's ConceptMap. Updates use If-Match; the first write of
   * a sender's map cannot, so every write is read back and redone if a concurrent writer replaced it.
   */
  async record(decision: ReviewedDecision): Promise<ConceptMap> {
    const id = learnedMapId(decision.sender);
    const nameCode = nameKey(decision.name);
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.store.read('ConceptMap', id);
      const live = current && !current.deleted ? current : undefined;
      const map = live ? structuredClone(live.resource as ConceptMap) : this.emptyMap(id, decision.sender);
      const targets = this.withSystems(decision.targets);
      upsert(map, { source: senderNameSystem(decision.sender), code: nameCode, decision, targets, defaultSystem: this.targetSystem(), orderUrl: this.orderUrl });
      if (decision.localCode) upsert(map, { source: senderCodeSystem(decision.sender), code: decision.localCode, decision, targets, defaultSystem: this.targetSystem(), orderUrl: this.orderUrl });
      setTargetUri(map, this.targetSystem());
      map.date = new Date().toISOString();
      try {
        await this.store.put(map as ConceptMap & { id: string }, {
          ...(live ? { ifMatch: live.versionId } : {}),
          ...(decision.reviewer ? { actor: decision.reviewer } : {}),
        });
      } catch (err) {
        if ((err as { status?: number }).status === 412) continue;
        throw err;
      }
      const after = await this.store.read('ConceptMap', id);
      const saved = after?.resource as ConceptMap | undefined;
      if (saved && sameTargets(decisionsOf(saved, this.orderUrl).get(senderNameSystem(decision.sender), nameCode), targets)) {
        this.apply(saved);
        return saved;
      }
    }
    throw new Error(`could not store the learned mapping for sender ${decision.sender} (too many concurrent writers)`);
  }

  private targetSystem(): string {
    return codeSystemUrl(this.base, CS.examItem);
  }

  /** The system a target without one is stored under (exam-item: decisions written before extension targets). */
  get system(): string {
    return this.targetSystem();
  }

  private get orderUrl(): string {
    return `${this.base}/StructureDefinition/learned-target-order`;
  }

  private withSystems(targets: LearnedTarget[]): StoredTarget[] {
    return targets.map((t) => ({ ...t, system: t.system ?? this.targetSystem() }));
  }

  private emptyMap(id: string, sender: string): ConceptMap {
    return {
      resourceType: 'ConceptMap',
      id,
      url: conceptMapUrl(this.base, id),
      identifier: { system: 'urn:rimag:sender', value: sender },
      name: `LearnedMappings_${id.replace(/[^A-Za-z0-9]/g, '_')}`,
      title: `Reviewed exam-name mappings of sender ${sender}`,
      status: 'active',
      description: `Exam names and local codes of sender ${sender} mapped to Q/YMYG 001—2023 exam items after human review; consulted before the standardisation engine.`,
      targetUri: this.targetSystem(),
      group: [],
    };
  }
}

interface DecisionKey {
  sender: string;
  isName: boolean;
  code: string;
}

/** The decisions of one map by (source system, code), merged across target-system groups. */
class Decisions {
  private readonly byKey = new Map<string, { key: DecisionKey; remembered: Remembered }>();
  add(source: string, key: DecisionKey, remembered: Remembered): void {
    const k = `${source}\u0000${key.code}`;
    const seen = this.byKey.get(k);
    if (!seen) this.byKey.set(k, { key, remembered });
    else {
      const reviewer = seen.remembered.reviewer ?? remembered.reviewer;
      seen.remembered = { targets: [...seen.remembered.targets, ...remembered.targets], ...(reviewer ? { reviewer } : {}) };
    }
  }
  get(source: string, code: string): Remembered | undefined {
    return this.byKey.get(`${source}\u0000${code}`)?.remembered;
  }
  *[Symbol.iterator](): Iterator<[DecisionKey, Remembered]> {
    for (const { key, remembered } of this.byKey.values()) yield [key, remembered];
  }
}

function decisionsOf(map: ConceptMap, orderUrl: string): Decisions {
  const decisions = new Decisions();
  const ordered = new Map<StoredTarget, number>();
  for (const group of map.group ?? []) {
    const source = group.source ?? '';
    if (!source.startsWith(SENDER_SYSTEM_PREFIX)) continue;
    const isName = source.endsWith(':name');
    const sender = source.slice(SENDER_SYSTEM_PREFIX.length, isName ? -':name'.length : undefined);
    for (const el of group.element ?? []) {
      if (!el.code) continue;
      decisions.add(source, { sender, isName, code: el.code }, fromElement(el, group.target ?? '', orderUrl, ordered));
    }
  }
  // Back into the reviewer's order when every target carries its position; else (maps written without it, or
  // a single-system decision) the targets stay in group and element order.
  for (const [, remembered] of decisions) {
    if (remembered.targets.every((t) => ordered.has(t))) remembered.targets.sort((a, b) => (ordered.get(a) as number) - (ordered.get(b) as number));
  }
  return decisions;
}

function sameTargets(stored: Remembered | undefined, targets: StoredTarget[]): boolean {
  if (!stored) return false;
  const key = (ts: StoredTarget[]) => ts.map((t) => `${t.system}|${t.code}`).join('+');
  return key(stored.targets) === key(targets);
}

function fromElement(el: ConceptMapGroupElement, system: string, orderUrl: string, ordered: Map<StoredTarget, number>): Remembered {
  const targets = (el.target ?? []).filter((t) => t.equivalence !== 'unmatched' && t.code).map((t) => {
    const target: StoredTarget = { code: t.code as string, ...(t.display ? { display: t.display } : {}), system };
    const position = t.extension?.find((x) => x.url === orderUrl)?.valueInteger;
    if (position !== undefined) ordered.set(target, position);
    return target;
  });
  const reviewer = el.target?.[0]?.comment?.replace(/^reviewed by /, '');
  return { targets, ...(reviewer ? { reviewer } : {}) };
}

interface Upsert {
  source: string;
  code: string;
  decision: ReviewedDecision;
  targets: StoredTarget[];
  /** The group an "unmatched" decision is kept in. */
  defaultSystem: string;
  orderUrl: string;
}

/** Replaces the source code's decision: its elements in every target group go, one element per target system comes in. */
function upsert(map: ConceptMap, u: Upsert): void {
  map.group ??= [];
  for (const g of map.group) if (g.source === u.source) g.element = (g.element ?? []).filter((e) => e.code !== u.code);
  const comment = u.decision.reviewer ? `reviewed by ${u.decision.reviewer}` : 'reviewed';
  const bySystem = new Map<string, ConceptMapGroupElementTarget[]>();
  if (u.targets.length === 0) bySystem.set(u.defaultSystem, [{ equivalence: 'unmatched', comment }]);
  const mixed = new Set(u.targets.map((t) => t.system)).size > 1;
  u.targets.forEach((t, i) => {
    const list = bySystem.get(t.system) ?? [];
    list.push({
      ...(mixed ? { extension: [{ url: u.orderUrl, valueInteger: i }] } : {}),
      code: t.code, ...(t.display ? { display: t.display } : {}),
      equivalence: u.targets.length > 1 ? 'narrower' : 'equivalent', comment,
    });
    bySystem.set(t.system, list);
  });
  for (const [system, target] of bySystem) {
    let group: ConceptMapGroup | undefined = map.group.find((g) => g.source === u.source && g.target === system);
    if (!group) map.group.push((group = { source: u.source, target: system, element: [] }));
    (group.element ??= []).push({ code: u.code, display: u.decision.name, target });
  }
  map.group = map.group.filter((g) => (g.element ?? []).length > 0);
}

/** targetUri names the exam-item system while every group targets it (maps as they always were); mixed maps name none. */
function setTargetUri(map: ConceptMap, examItem: string): void {
  if ((map.group ?? []).every((g) => g.target === examItem)) map.targetUri = examItem;
  else delete map.targetUri;
}

/**
 * The matcher with learned mappings first: when `options.sender` is given and the sender's
 * ConceptMap has the local code or the name, that answer is returned (`source: 'learned'`, `auto`).
 */
export function withLearned(engine: ExamNameMatcher, learned: LearnedMappings, displays?: (code: string, system: string) => string | undefined): ExamNameMatcher {
  return {
    match(name: string, options: MatchOptions = {}): MatchResult {
      if (options.sender) {
        const targets = learned.lookup(options.sender, name, options.localCode);
        if (targets) {
          if (targets.length === 0) {
            return { input: name, decision: 'none', source: 'learned', reason: 'reviewed: not a standard exam', exams: [{ text: name, decision: 'none', candidates: [], facets: { learned: true } }] };
          }
          return {
            input: name,
            decision: 'auto',
            source: 'learned',
            exams: targets.map((t) => ({
              text: name,
              decision: 'auto' as const,
              candidates: [{ code: t.code, display: t.display ?? displays?.(t.code, t.system) ?? t.code, score: 1, system: t.system }],
              facets: { learned: true, sender: options.sender },
            })),
          };
        }
      }
      return engine.match(name, options);
    },
  };
}
