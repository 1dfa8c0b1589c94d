/**
 * ValueSet.compose evaluation: enumerate (for $expand) and test membership (for $validate-code)
 * with the same include/exclude/filter semantics (FHIR R4 ValueSet, "Value Set Composition").
 */
import type { Extension, ValueSet, ValueSetComposeInclude, ValueSetExpansionParameter } from 'fhir/r4';
import { NotFoundError, TooCostlyError, TerminologyError } from '../../errors.js';
import type { CodeSystemProvider, Concept, ConceptFilter, Designation } from '../codesystems/provider.js';
import type { OperationContext } from '../context.js';
import { buildFilter, filterOp } from './filters.js';
import { effectiveSystemVersion, resolveCodeSystem, resolveImportedValueSet } from './resolve.js';
import { excludesWholeSystem, includesInVersionOrder, versionPolicy, type VersionPolicy } from './version-policy.js';

export interface ExpansionEntry {
  system: string;
  version?: string;
  code: string;
  display?: string;
  /** The value set's own display for the code (include.concept.display), when it gave one. */
  vsDisplay?: string;
  concept?: Concept;
  provider?: CodeSystemProvider;
  abstract: boolean;
  inactive: boolean;
  designations: Designation[];
  /** Designations stated in the value set (include.concept.designation). */
  vsDesignations: Designation[];
  children: ExpansionEntry[];
  extensions?: Array<Record<string, unknown>>;
}

export interface ComposeOptions {
  activeOnly?: boolean;
  /** Keep the code system hierarchy (excludeNested=false) where the include allows it. */
  hierarchical?: boolean;
  /** Supplements requested (useSupplement / valueset-supplement extension). */
  supplements?: string[];
  /** Stop with too-costly beyond this many codes. */
  limit?: number;
  /** Skip includes whose code system (version) is unknown instead of failing (membership checks). */
  skipUnknownSystems?: boolean;
}

export interface ComposeResult {
  entries: ExpansionEntry[];
  total: number;
  usedCodeSystems: Map<string, CodeSystemProvider>;
  usedValueSets: string[];
  /** Systems referenced that could not be resolved: `url|version` or `url`. */
  missingSystems: string[];
  /** How the top-level compose treats several versions of one code system (version-policy.ts). */
  versionPolicy: VersionPolicy;
  /** `url|version` of the code systems used that are fragments (content=fragment): the expansion is not closed. */
  fragments: string[];
}

export function canonicalOf(vs: { url?: string; version?: string }): string {
  return vs.version ? `${vs.url}|${vs.version}` : (vs.url ?? '');
}

const key = (system: string, code: string): string => `${system}\u0000${code}`;

/** Resolves the provider for one include, or throws 404 when the system is unknown. */
export function includeProvider(ctx: OperationContext, include: ValueSetComposeInclude, supplements: string[]): CodeSystemProvider {
  const system = include.system!;
  const version = effectiveSystemVersion(ctx, system, include.version);
  const resolved = resolveCodeSystem(ctx, system, version, supplements);
  if (resolved.provider) return resolved.provider;
  if (resolved.missingVersion !== undefined) {
    throw new NotFoundError(`A definition for CodeSystem '${system}' version '${resolved.missingVersion}' could not be found, so the value set cannot be expanded. Valid versions: ${resolved.knownVersions.join(' or ')}`, {
      messageId: undefined,
    });
  }
  throw new NotFoundError(`A definition for CodeSystem '${system}' could not be found, so the value set cannot be expanded`);
}

function entryFor(provider: CodeSystemProvider, concept: Concept, stated?: { display?: string; designation?: Designation[] }): ExpansionEntry {
  return {
    system: provider.system,
    version: provider.version,
    code: concept.code,
    display: concept.display,
    vsDisplay: stated?.display,
    concept,
    provider,
    abstract: provider.isAbstract(concept),
    inactive: provider.isInactive(concept),
    designations: concept.designations,
    vsDesignations: stated?.designation ?? [],
    children: [],
    extensions: concept.extensions,
  };
}

function hierarchy(provider: CodeSystemProvider, concepts: readonly Concept[], seen: Set<string>): ExpansionEntry[] {
  const out: ExpansionEntry[] = [];
  for (const concept of concepts) {
    if (seen.has(concept.code)) continue;
    seen.add(concept.code);
    const entry = entryFor(provider, concept);
    entry.children = hierarchy(provider, provider.childrenOf(concept), seen);
    out.push(entry);
  }
  return out;
}

interface CachedInclude {
  /** Frozen: callers copy before changing anything. */
  entries: ExpansionEntry[];
  /** Entries including nested children (what the too-costly limit counts). */
  count: number;
}

/** Include evaluations per provider (a provider stands for one code system version + supplements). */
const includeCache = new WeakMap<CodeSystemProvider, { generation: number; byKey: Map<string, CachedInclude> }>();
/** Bounds the memory ad-hoc value sets with ever-new filters can take per provider. */
const MAX_CACHED_INCLUDES = 64;
/** Entry lists whose (system, code, version) keys are all distinct. */
const distinctLists = new WeakSet<ExpansionEntry[]>();
/** Cached entry lists without nested children (flatten and count need not walk them). */
const flatLists = new WeakSet<ExpansionEntry[]>();
/** Cached entry lists of one provider whose codes are distinct, nested entries included: code → entry, built on first use. */
const codeIndexes = new WeakMap<ExpansionEntry[], Map<string, ExpansionEntry> | null>();

/**
 * A code → entry index over a cached include list (nested entries included) when all its entries
 * come from one provider with distinct codes; undefined for any other list.
 */
export function cachedEntriesByCode(entries: ExpansionEntry[]): Map<string, ExpansionEntry> | undefined {
  let index = codeIndexes.get(entries);
  if (index === null) {
    index = new Map(flatten(entries).map((e) => [e.code, e]));
    codeIndexes.set(entries, index);
  }
  return index;
}

function cachedInclude(generation: number, provider: CodeSystemProvider, cacheKey: string, build: () => ExpansionEntry[]): CachedInclude {
  let slot = includeCache.get(provider);
  if (!slot || slot.generation !== generation) {
    slot = { generation, byKey: new Map() };
    includeCache.set(provider, slot);
  }
  const hit = slot.byKey.get(cacheKey);
  if (hit) return hit;
  const entries = build();
  const all = flatten(entries);
  for (const e of all) Object.freeze(e);
  Object.freeze(entries);
  // The same key as expandValueSet's de-duplication, which looks at top-level entries only.
  const keys = new Set(entries.map((e) => `${key(e.system, e.code)}\u0000${e.version ?? ''}`));
  if (keys.size === entries.length) distinctLists.add(entries);
  if (all === entries) flatLists.add(entries);
  // Every entry comes from `provider` (entryFor); the index needs distinct codes.
  if (all.length > 0 && new Set(all.map((e) => e.code)).size === all.length) codeIndexes.set(entries, null);
  const made = { entries, count: all.length };
  if (slot.byKey.size >= MAX_CACHED_INCLUDES) slot.byKey.clear();
  slot.byKey.set(cacheKey, made);
  return made;
}

class Evaluator {
  readonly used = new Map<string, CodeSystemProvider>();
  readonly usedValueSets: string[] = [];
  readonly missing: string[] = [];
  readonly fragments = new Set<string>();
  count = 0;
  /** `include[i]` / `exclude[i]` of the top-level value set being evaluated (for expressions). */
  position?: string;
  /** The value set being expanded (for contained references). */
  root?: ValueSet;

  constructor(
    private readonly ctx: OperationContext,
    private readonly options: ComposeOptions,
    private readonly owner: string,
  ) {}

  private bump(n = 1): void {
    this.count += n;
    const limit = this.options.limit;
    if (limit !== undefined && this.count > limit) {
      throw new TooCostlyError(`The value set '${this.owner}' expansion has too many codes to produce (>${limit})`, {
        txIssueType: undefined,
        diagnostics: `expansion stopped after ${limit} codes (limit from X-TOO-COSTLY-THRESHOLD or terminology.maxExpansionSize)`,
      });
    }
  }

  private importedSets(include: ValueSetComposeInclude): Array<Set<string>> {
    return (include.valueSet ?? []).map((canonical) => {
      const vs = this.containedValueSet(canonical) ?? resolveImportedValueSet(this.ctx, canonical);
      if (!vs) {
        if (canonical.includes('|')) throw new NotFoundError(`Unable to find included value set '${canonical.split('|')[0]}' version '${canonical.split('|')[1]}'`);
        const rule = this.ctx.valueSetVersionRules.find((r) => r.split('|')[0] === canonical);
        throw new NotFoundError(`A definition for the value Set '${rule ?? canonical}' could not be found`);
      }
      // A contained value set is part of this one, not a value set it uses (tx.fhir.org).
      if (!canonical.startsWith('#')) this.usedValueSets.push(canonicalOf(vs));
      const inner = this.expandValueSet(vs, false);
      const set = new Set<string>();
      const walk = (list: ExpansionEntry[]): void => {
        for (const e of list) {
          set.add(key(e.system, e.code));
          walk(e.children);
        }
      };
      walk(inner);
      return set;
    });
  }

  /** `#id` references resolve against the top-level value set's contained resources. */
  private containedValueSet(canonical: string): ValueSet | undefined {
    if (!canonical.startsWith('#') || !this.root) return undefined;
    return (this.root.contained ?? []).find((r): r is ValueSet => r.resourceType === 'ValueSet' && r.id === canonical.slice(1));
  }

  /** Entries of one include (not yet de-duplicated). */
  private includeEntries(include: ValueSetComposeInclude, allowHierarchy: boolean): ExpansionEntry[] {
    this.ctx.deadCheck('expand include');
    const imports = this.importedSets(include);
    const inImports = (system: string, code: string): boolean => imports.every((s) => s.has(key(system, code)));
    if (!include.system) {
      if (imports.length === 0) return [];
      const first = this.containedValueSet(include.valueSet![0]!) ?? resolveImportedValueSet(this.ctx, include.valueSet![0]!)!;
      return flatten(this.expandValueSet(first, false)).filter((e) => inImports(e.system, e.code));
    }
    let provider: CodeSystemProvider;
    try {
      provider = includeProvider(this.ctx, include, this.options.supplements ?? []);
    } catch (err) {
      // Membership checks report unknown systems themselves; the include contributes nothing.
      if (!this.options.skipUnknownSystems || !(err instanceof NotFoundError)) throw err;
      this.missing.push(include.version ? `${include.system}|${include.version}` : include.system);
      return [];
    }
    this.used.set(canonicalOf({ url: provider.system, version: provider.version }), provider);
    if (provider.content === 'fragment') this.fragments.add(canonicalOf({ url: provider.system, version: provider.version }));
    const out: ExpansionEntry[] = [];
    if (include.concept && include.concept.length > 0) {
      for (const ref of include.concept) {
        const concept = provider.locate(ref.code).concept;
        if (!concept || !inImports(provider.system, concept.code)) continue;
        this.bump();
        out.push(entryFor(provider, concept, { display: ref.display, designation: ref.designation?.map((d) => ({ language: d.language, use: d.use, value: d.value })) }));
      }
      return out;
    }
    const filters: ConceptFilter[] = (include.filter ?? []).map((f, j) => {
      if (f.value === undefined || f.value === '') {
        const where = `ValueSet.compose.${this.position ?? 'include[0]'}.filter[${j}]`;
        throw new TerminologyError(400, { code: 'invalid', txIssueType: 'vs-invalid', message: `The system ${provider.system} filter with property = ${f.property}, op = ${filterOp(f)} has no value`, expression: [where] });
      }
      return buildFilter(provider, f);
    });
    const nested = filters.length === 0 && imports.length === 0 && allowHierarchy && this.options.hierarchical === true;
    if (imports.length === 0) {
      // Depends only on the provider, the filters and the shape: shared by every request of this registry generation.
      const cached = cachedInclude(this.ctx.resolver.generation, provider, `${nested ? 'tree' : 'flat'}\u0000${JSON.stringify(include.filter ?? [])}`, () =>
        nested ? hierarchy(provider, provider.roots(), new Set()) : provider.concepts().filter((c) => filters.every((f) => f.matches(c))).map((c) => entryFor(provider, c)),
      );
      this.bump(cached.count);
      return cached.entries;
    }
    for (const concept of provider.concepts()) {
      if (!filters.every((f) => f.matches(concept))) continue;
      if (!inImports(provider.system, concept.code)) continue;
      this.bump();
      out.push(entryFor(provider, concept));
    }
    return out;
  }

  /** Expands a value set's compose (loop-guarded). */
  expandValueSet(vs: ValueSet, topLevel: boolean): ExpansionEntry[] {
    const canonical = canonicalOf(vs);
    this.ctx.enterValueSet(canonical);
    try {
      if (!vs.compose) {
        if (vs.expansion?.contains) return flatten(vs.expansion.contains.map((c) => fromContains(c)));
        return [];
      }
      const includes = vs.compose.include ?? [];
      const excludes = vs.compose.exclude ?? [];
      const allowHierarchy = topLevel && includes.length === 1 && excludes.length === 0;
      const policy = versionPolicy(vs);
      // Merged versions: one entry per code (the newest version's, as includes run newest first).
      const entryKey = (e: ExpansionEntry): string => (policy.versionsMatch ? key(e.system, e.code) : `${key(e.system, e.code)}\u0000${e.version ?? ''}`);
      const seen = new Set<string>();
      const result: ExpansionEntry[] = [];
      for (const { include, index } of includesInVersionOrder(includes)) {
        if (topLevel) this.position = `include[${index}]`;
        const entries = this.includeEntries(include, allowHierarchy);
        // One include whose entries are known to be distinct: nothing to de-duplicate.
        if (includes.length === 1 && excludes.length === 0 && distinctLists.has(entries)) return entries;
        for (const entry of entries) {
          const k = entryKey(entry);
          if (seen.has(k)) continue;
          seen.add(k);
          result.push(entry);
        }
      }
      if (excludes.length === 0) return result;
      // A versioned compose excludes codes of the version each exclude names; otherwise any version.
      const scoped = policy.versioned && !policy.versionsMatch;
      const exclusionKey = (e: ExpansionEntry): string => (scoped ? `${key(e.system, e.code)}\u0000${e.version ?? ''}` : key(e.system, e.code));
      const excluded = new Set<string>();
      const excludedSystems = new Set<string>();
      for (const [i, exclude] of excludes.entries()) {
        if (topLevel) this.position = `exclude[${i}]`;
        if (excludesWholeSystem(exclude)) excludedSystems.add(exclude.system!);
        for (const e of flatten(this.includeEntries(exclude, false))) excluded.add(exclusionKey(e));
      }
      return result.filter((e) => !excludedSystems.has(e.system) && !excluded.has(exclusionKey(e)));
    } finally {
      this.ctx.leaveValueSet();
    }
  }
}

function fromContains(c: { system?: string; version?: string; code?: string; display?: string; abstract?: boolean; inactive?: boolean; contains?: unknown[] }): ExpansionEntry {
  return {
    system: c.system ?? '',
    version: c.version,
    code: c.code ?? '',
    display: c.display,
    abstract: c.abstract === true,
    inactive: c.inactive === true,
    designations: [],
    vsDesignations: [],
    children: ((c.contains ?? []) as Array<typeof c>).map(fromContains),
  };
}

/**
 * Depth-first flattening of a (possibly nested) entry list. A list that is flat already is
 * returned as it is (it may be a frozen cached list: copy before changing it).
 */
export function flatten(entries: ExpansionEntry[]): ExpansionEntry[] {
  if (flatLists.has(entries) || entries.every((e) => e.children.length === 0)) return entries;
  const out: ExpansionEntry[] = [];
  const walk = (list: ExpansionEntry[]): void => {
    for (const e of list) {
      out.push(e);
      walk(e.children);
    }
  };
  walk(entries);
  return out;
}

/** flatten(entries).length without building the list. */
function countEntries(entries: ExpansionEntry[]): number {
  let n = entries.length;
  if (flatLists.has(entries)) return n;
  for (const e of entries) if (e.children.length > 0) n += countEntries(e.children);
  return n;
}

/** Evaluates a value set's compose into expansion entries. */
export function evaluateCompose(ctx: OperationContext, vs: ValueSet, options: ComposeOptions): ComposeResult {
  const evaluator = new Evaluator(ctx, options, canonicalOf(vs));
  evaluator.root = vs;
  let entries = evaluator.expandValueSet(vs, true);
  // compose.inactive=false (R4): inactive codes are not part of the value set.
  if (options.activeOnly || vs.compose?.inactive === false) entries = pruneInactive(entries);
  return {
    entries,
    total: countEntries(entries),
    usedCodeSystems: evaluator.used,
    usedValueSets: evaluator.usedValueSets,
    missingSystems: evaluator.missing,
    versionPolicy: versionPolicy(vs),
    fragments: [...evaluator.fragments],
  };
}

/**
 * What an expansion states about how it was composed (tx.fhir.org): `versionsMatch` when versions
 * were merged, and for code systems that are fragments a `used-fragment` parameter and the
 * `valueset-unclosed` extensions (the value set may have members the fragment does not list).
 */
export function compositionNotes(composed: ComposeResult): { parameters: ValueSetExpansionParameter[]; extensions: Extension[] } {
  const parameters: ValueSetExpansionParameter[] = [];
  const extensions: Extension[] = [];
  if (composed.versionPolicy.versionsMatch) parameters.push({ name: 'versionsMatch', valueBoolean: true });
  for (const f of composed.fragments) parameters.push({ name: 'used-fragment', valueUri: f });
  if (composed.fragments.length > 0) {
    extensions.push({ url: 'http://hl7.org/fhir/StructureDefinition/valueset-unclosed', valueBoolean: true });
    extensions.push({ url: 'http://hl7.org/fhir/StructureDefinition/valueset-unclosed-reason', valueString: `This extension is based on a fragment of the code system ${composed.fragments[0]!.split('|')[0]}` });
  }
  return { parameters, extensions };
}

function pruneInactive(entries: ExpansionEntry[]): ExpansionEntry[] {
  const out: ExpansionEntry[] = [];
  for (const e of entries) {
    const children = pruneInactive(e.children);
    if (e.inactive) out.push(...children);
    else out.push({ ...e, children });
  }
  return out;
}

export interface MembershipResult {
  found: boolean;
  entry?: ExpansionEntry;
}

/** Whether (system, code) is in the value set, by expanding without limits (engine-internal). */
export function findInValueSet(ctx: OperationContext, vs: ValueSet, system: string | undefined, code: string, options: ComposeOptions): MembershipResult {
  const { entries } = evaluateCompose(ctx, vs, { ...options, hierarchical: false, limit: undefined });
  for (const e of entries) {
    if (e.code === code && (system === undefined || e.system === system)) return { found: true, entry: e };
  }
  return { found: false };
}

/**
 * Membership of a code that the provider recognises but does not enumerate (e.g. the exam items'
 * device-specific codes, formed from a published item by changing the device-type segment):
 * the code is a member when an include of its system without a concept list or imported value
 * sets accepts it through all its filters, and no exclude accepts or lists it. Enumerated codes
 * never reach here; a match found only by ignoring case does not count.
 */
export function acceptsUnenumeratedCode(ctx: OperationContext, vs: ValueSet, system: string, code: string, options: { supplements?: string[]; activeOnly?: boolean }): boolean {
  const compose = vs.compose;
  if (!compose) return false;
  const accepts = (include: ValueSetComposeInclude): boolean => {
    if (include.system !== system || (include.valueSet?.length ?? 0) > 0) return false;
    if (include.concept && include.concept.length > 0) return false;
    try {
      const provider = includeProvider(ctx, include, options.supplements ?? []);
      const concept = provider.locate(code).concept;
      if (!concept || concept.code !== code) return false;
      if ((options.activeOnly || compose.inactive === false) && provider.isInactive(concept)) return false;
      return (include.filter ?? []).every((f) => buildFilter(provider, f).matches(concept));
    } catch {
      return false;
    }
  };
  // An exclude by imported value set would need their expansion: stay with the enumerated answer.
  if ((compose.exclude ?? []).some((x) => (x.valueSet?.length ?? 0) > 0)) return false;
  const listedInExclude = (compose.exclude ?? []).some((x) => x.system === system && (x.concept ?? []).some((c) => c.code === code));
  return !listedInExclude && compose.include.some(accepts) && !(compose.exclude ?? []).some(accepts);
}

export { TerminologyError };
