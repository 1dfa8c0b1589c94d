/**
 * Learned mappings: reviewed decisions per sender (institution), kept as that sender's ConceptMap
 * in the store, and consulted before the engine. No retraining: a confirmed or corrected mapping
 * is used next time the sender sends the same local code or the same (normalised) name.
 *
 * ConceptMap layout (one per sender, id `learned-<slug>`):
 * - group 1: source `urn:rimag:sender:<sender>` (the sender's local codes), target = exam-item system
 * - group 2: source `urn:rimag:sender:<sender>:name` (normalised local names as codes), same target
 * Each element has one target per exam (`equivalent`; `narrower` when the line names several exams),
 * or a single `unmatched` target when the reviewer decided the line is not a standard exam.
 */
import { createHash } from 'node:crypto';
import type { ConceptMap, ConceptMapGroup, ConceptMapGroupElement } from 'fhir/r4';
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
}

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
  targets: LearnedTarget[];
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

  /** Indexes one learned ConceptMap (also for changes seen through `store.watch`). */
  apply(map: ConceptMap): void {
    for (const group of map.group ?? []) {
      const source = group.source ?? '';
      if (!source.startsWith(SENDER_SYSTEM_PREFIX)) continue;
      const isName = source.endsWith(':name');
      const sender = source.slice(SENDER_SYSTEM_PREFIX.length, isName ? -':name'.length : undefined);
      for (const el of group.element ?? []) {
        if (!el.code) continue;
        const remembered = fromElement(el);
        (isName ? this.byName : this.byCode).set(`${sender}\u0000${el.code}`, remembered);
      }
    }
  }

  /** The remembered decision for this sender: by local code first, then by normalised name. */
  lookup(sender: string, name: string, localCode?: string): LearnedTarget[] | undefined {
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
      upsert(map, senderNameSystem(decision.sender), this.targetSystem(), nameCode, decision);
      if (decision.localCode) upsert(map, senderCodeSystem(decision.sender), this.targetSystem(), decision.localCode, decision);
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
      if (saved && hasElement(saved, senderNameSystem(decision.sender), nameCode, decision.targets)) {
        this.apply(saved);
        return saved;
      }
    }
    throw new Error(`could not store the learned mapping for sender ${decision.sender} (too many concurrent writers)`);
  }

  private targetSystem(): string {
    return codeSystemUrl(this.base, CS.examItem);
  }

  /** The system of every learned target (the maps target the exam-item CodeSystem). */
  get system(): string {
    return this.targetSystem();
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

function hasElement(map: ConceptMap, source: string, code: string, targets: LearnedTarget[]): boolean {
  const el = map.group?.find((g) => g.source === source)?.element?.find((e) => e.code === code);
  if (!el) return false;
  const stored = (el.target ?? []).filter((t) => t.code).map((t) => t.code).join('+');
  return stored === targets.map((t) => t.code).join('+');
}

function fromElement(el: ConceptMapGroupElement): Remembered {
  const targets = (el.target ?? []).filter((t) => t.equivalence !== 'unmatched' && t.code).map((t) => ({ code: t.code as string, ...(t.display ? { display: t.display } : {}) }));
  const reviewer = el.target?.[0]?.comment?.replace(/^reviewed by /, '');
  return { targets, ...(reviewer ? { reviewer } : {}) };
}

function upsert(map: ConceptMap, source: string, target: string, code: string, d: ReviewedDecision): void {
  map.group ??= [];
  let group: ConceptMapGroup | undefined = map.group.find((g) => g.source === source && g.target === target);
  if (!group) map.group.push((group = { source, target, element: [] }));
  group.element ??= [];
  const comment = d.reviewer ? `reviewed by ${d.reviewer}` : 'reviewed';
  const element: ConceptMapGroupElement = {
    code,
    display: d.name,
    target: d.targets.length === 0
      ? [{ equivalence: 'unmatched', comment }]
      : d.targets.map((t) => ({ code: t.code, ...(t.display ? { display: t.display } : {}), equivalence: d.targets.length > 1 ? 'narrower' : 'equivalent', comment })),
  };
  const i = group.element.findIndex((e) => e.code === code);
  if (i >= 0) group.element[i] = element;
  else group.element.push(element);
}

/**
 * The matcher with learned mappings first: when `options.sender` is given and the sender's
 * ConceptMap has the local code or the name, that answer is returned (`source: 'learned'`, `auto`).
 */
export function withLearned(engine: ExamNameMatcher, learned: LearnedMappings, displays?: (code: string) => string | undefined): ExamNameMatcher {
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
              candidates: [{ code: t.code, display: t.display ?? displays?.(t.code) ?? t.code, score: 1, system: learned.system }],
              facets: { learned: true, sender: options.sender },
            })),
          };
        }
      }
      return engine.match(name, options);
    },
  };
}
