/**
 * ValueSet/$expand (FHIR R4): compose evaluation, text filter, activeOnly, paging (count/offset),
 * designations, definitions, properties (as R4 cross-version extensions), hierarchy
 * (excludeNested=false), and too-costly for oversize expansions.
 */
import { randomUUID } from 'node:crypto';
import type { Extension, ValueSet, ValueSetComposeIncludeConcept, ValueSetExpansionContains, ValueSetExpansionParameter } from 'fhir/r4';
import type { CodeSystemProvider, Concept, ConceptProperty, Designation } from '../codesystems/provider.js';
import { normaliseSearchText, queryTerms } from '../codesystems/text-index.js';
import type { OperationContext } from '../context.js';
import { displayForLanguages, parseLanguagePreferences } from '../languages.js';
import { cachedEntriesByCode, canonicalOf, compositionNotes, evaluateCompose, flatten, type ExpansionEntry } from '../valuesets/compose.js';
import { assertCheckedVersion } from '../valuesets/resolve.js';
import { conceptExtras, type ConceptExtras, type DerivedProperty } from './concept-extras.js';

const PREFERRED_FOR_LANGUAGE = { system: 'http://terminology.hl7.org/CodeSystem/hl7TermMaintInfra', code: 'preferredForLanguage', display: 'Preferred For Language' };
const LANGUAGE_SYSTEM = 'urn:ietf:bcp:47';
/** Designation extensions an expansion keeps (others, e.g. unknown ones, are dropped as tx.fhir.org does). */
const DESIGNATION_EXTENSIONS = new Set(['coding-sctdescid', 'structuredefinition-standards-status', 'rendering-style', 'rendering-xhtml'].map((n) => `http://hl7.org/fhir/StructureDefinition/${n}`));
const XV = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.';
/** FHIR concept-properties codes (http://hl7.org/fhir/concept-properties). */
const STANDARD_PROPERTIES = new Set(['definition', 'display', 'inactive', 'status', 'parent', 'child', 'notSelectable', 'deprecated', 'retirementDate', 'deprecationDate']);

export interface ExpandInput {
  valueSet: ValueSet;
  filter?: string;
  count?: number;
  offset?: number;
  activeOnly?: boolean;
  excludeNested?: boolean;
  includeDesignations?: boolean;
  designations?: string[];
  includeDefinition?: boolean;
  properties?: string[];
  supplements?: string[];
  /** Parameters to echo in expansion.parameter (already in FHIR shape, request order). */
  echo: ValueSetExpansionParameter[];
  /** too-costly threshold (X-TOO-COSTLY-THRESHOLD or configuration). */
  limit?: number;
}

/** Filters entries by the text query (code, display, designations); keeps best matches first. */
function applyTextFilter(entries: ExpansionEntry[], query: string): ExpansionEntry[] {
  const index = cachedEntriesByCode(entries);
  if (index) {
    // One provider, distinct codes: materialise only the search hits, in rank order (as below).
    const provider = index.values().next().value?.provider;
    if (!provider) return [];
    const rank = new Map(provider.search(query).map((c, i) => [c.code, i]));
    const out: ExpansionEntry[] = [];
    for (const [code] of [...rank].sort((a, b) => a[1] - b[1])) {
      const e = index.get(code);
      if (e) out.push({ ...e, children: [] });
    }
    return out;
  }
  const ranks = new Map<CodeSystemProvider, Map<string, number>>();
  const rankOf = (e: ExpansionEntry): number | undefined => {
    if (!e.provider) {
      const terms = queryTerms(query);
      const text = normaliseSearchText([e.code, e.display ?? ''].join(' '));
      return terms.every((t) => text.includes(t)) ? 0 : undefined;
    }
    let map = ranks.get(e.provider);
    if (!map) {
      map = new Map(e.provider.search(query).map((c, i) => [c.code, i]));
      ranks.set(e.provider, map);
    }
    return map.get(e.code);
  };
  const hits: Array<{ e: ExpansionEntry; r: number }> = [];
  // Depth-first, the order of flatten(), without materialising the flat list.
  const visit = (list: ExpansionEntry[]): void => {
    for (const e of list) {
      const r = rankOf(e);
      if (r !== undefined) hits.push({ e: { ...e, children: [] }, r });
      if (e.children.length > 0) visit(e.children);
    }
  };
  visit(entries);
  return hits.sort((a, b) => a.r - b.r).map((h) => h.e);
}

function propertyValue(p: ConceptProperty): [string, unknown] | undefined {
  for (const [k, v] of Object.entries(p)) if (k.startsWith('value')) return [k, v];
  return undefined;
}

/**
 * What a code system concept contributes to its expansion entry depends on the concept alone (its
 * provider is fixed for the concept's lifetime): computed once per concept, not per expansion
 * (statusOf/isDeprecated scan the concept's properties).
 */
const codeSystemExtras = new WeakMap<Concept, ConceptExtras>();

function extrasFor(e: ExpansionEntry, stated: Extension[] | undefined): ConceptExtras {
  const { concept, provider } = e;
  if (!concept || !provider) return conceptExtras({ valueSetExtensions: stated, deprecated: false });
  const cacheable = !stated || stated.length === 0;
  const cached = cacheable ? codeSystemExtras.get(concept) : undefined;
  if (cached) return cached;
  // (No closures on this path: it runs once per expanded code.)
  const made = conceptExtras({ codeSystemExtensions: concept.extensions, valueSetExtensions: stated, status: provider.statusOf(concept), deprecated: provider.isDeprecated(concept) });
  if (cacheable) codeSystemExtras.set(concept, made);
  return made;
}

/** `designation` parameter: `system|code` of a use, `urn:ietf:bcp:47|lang` for a language, or a bare language/use code. */
function designationWanted(wanted: string[], d: Designation): boolean {
  if (wanted.length === 0) return true;
  return wanted.some((w) => {
    const bar = w.lastIndexOf('|');
    const system = bar >= 0 ? w.slice(0, bar) : undefined;
    const code = bar >= 0 ? w.slice(bar + 1) : w;
    if (system === LANGUAGE_SYSTEM) return d.language !== undefined && d.language.toLowerCase() === code.toLowerCase();
    if (d.use && d.use.code === code && (system === undefined || d.use.system === system)) return true;
    return system === undefined && d.language !== undefined && d.language === code;
  });
}

class ContainsBuilder {
  readonly usedProperties = new Map<string, string | undefined>();
  multiVersion = new Set<string>();
  /** The value set's own concept entries (compose.include.concept), by system and code. */
  private readonly stated = new Map<string, ValueSetComposeIncludeConcept>();

  constructor(
    private readonly ctx: OperationContext,
    private readonly input: ExpandInput,
  ) {
    for (const include of input.valueSet.compose?.include ?? []) {
      if (!include.system) continue;
      for (const c of include.concept ?? []) {
        const k = `${include.system}\u0000${c.code}`;
        if (!this.stated.has(k)) this.stated.set(k, c);
      }
    }
  }

  build(e: ExpansionEntry): ValueSetExpansionContains {
    const c: ValueSetExpansionContains = { system: e.system };
    // Several versions of one system in the expansion: say which version each code comes from.
    if (e.version !== undefined && this.multiVersion.has(e.system)) c.version = e.version;
    if (e.abstract) c.abstract = true;
    if (e.inactive) c.inactive = true;
    c.code = e.code;
    const stated = this.stated.size > 0 ? this.stated.get(`${e.system}\u0000${e.code}`) : undefined;
    const vsDesignations: Designation[] = stated?.designation ? stated.designation.map((d) => ({ language: d.language, use: d.use, value: d.value, ...(d.extension ? { extension: d.extension } : {}) })) : e.vsDesignations;
    const chosen = e.vsDisplay !== undefined ? { value: e.vsDisplay, language: undefined } : displayForLanguages({ display: e.display, displayLanguage: e.provider?.language, designations: [...vsDesignations, ...e.designations], languages: this.ctx.languages });
    const display = chosen?.value ?? (this.ctx.languageHard ? undefined : e.display);
    const shownLanguage = chosen ? chosen.language : e.provider?.language;
    if (display !== undefined) c.display = display;
    const designations = this.designations(e, vsDesignations, display, shownLanguage);
    if (designations.length > 0) c.designation = designations;
    const extras = extrasFor(e, stated?.extension);
    const properties = this.properties(e, extras.properties);
    const extensions = extras.extensions.length === 0 ? properties : [...extras.extensions, ...properties];
    if (extensions.length > 0) c.extension = extensions;
    if (e.children.length > 0) c.contains = e.children.map((child) => this.build(child));
    return c;
  }

  private designations(e: ExpansionEntry, vsDesignations: Designation[], shown: string | undefined, shownLanguage: string | undefined): NonNullable<ValueSetExpansionContains['designation']> {
    if (!this.input.includeDesignations && !(this.input.designations && this.input.designations.length > 0)) return [];
    // The code system's own display is a designation in its language, unless it is the display shown.
    const base: Designation[] = e.display !== undefined && e.provider?.language && e.display !== shown ? [{ language: e.provider.language, use: PREFERRED_FOR_LANGUAGE, value: e.display }] : [];
    // The code system's designations, then the value set's (the order tx.fhir.org lists them in).
    const all = [...base, ...e.designations, ...vsDesignations].filter((d) => !(d.value === shown && d.use === undefined && (d.language === undefined || d.language === shownLanguage)));
    const wanted = this.input.designations ?? [];
    return all
      .filter((d) => designationWanted(wanted, d))
      .map((d) => {
        const extension = d.extension?.filter((x) => DESIGNATION_EXTENSIONS.has(x.url));
        return { ...(extension && extension.length > 0 ? { extension } : {}), ...(d.language ? { language: d.language } : {}), ...(d.use ? { use: d.use } : {}), value: d.value };
      });
  }

  /** Concept properties as R4 cross-version extensions: the derived ones, then those asked for by `property`. */
  private properties(e: ExpansionEntry, derived: DerivedProperty[]): Extension[] {
    if (derived.length === 0 && (this.input.properties?.length ?? 0) === 0) return [];
    const out: Extension[] = [];
    const emit = (code: string, uri: string | undefined, value: [string, unknown]): void => {
      if (!this.usedProperties.has(code) || (uri && !this.usedProperties.get(code))) this.usedProperties.set(code, uri);
      out.push({ url: `${XV}contains.property`, extension: [{ url: 'code', valueCode: code }, { url: 'value', [value[0]]: value[1] } as Extension] });
    };
    const done = new Set<string>();
    for (const p of derived) {
      emit(p.code, p.uri, p.value);
      done.add(p.code);
    }
    for (const code of this.input.properties ?? []) {
      if (!e.concept || !e.provider || done.has(code)) continue;
      const values: ConceptProperty[] = e.provider.propertyValues(e.concept, code);
      if (values.length === 0 && code === 'definition' && e.concept.definition) values.push({ code, valueString: e.concept.definition });
      if (values.length === 0 && code === 'display' && e.concept.display) values.push({ code, valueString: e.concept.display });
      if (values.length === 0 && code === 'inactive') values.push({ code, valueBoolean: e.inactive });
      for (const p of values) {
        const v = propertyValue(p);
        if (!v) continue;
        const uri = e.provider.propertyDefinitions.find((d) => d.code === code)?.uri ?? (STANDARD_PROPERTIES.has(code) ? `http://hl7.org/fhir/concept-properties#${code}` : undefined);
        emit(code, uri, v);
      }
    }
    return out;
  }
}

/**
 * excludeNested=false: nests each entry under its nearest ancestor that is also in the expansion
 * (whole-system includes arrive nested already; filters like is-a arrive flat).
 */
function nestByHierarchy(entries: ExpansionEntry[]): ExpansionEntry[] {
  const flat = flatten(entries).map((e) => ({ ...e, children: [] as ExpansionEntry[] }));
  const byKey = new Map(flat.map((e) => [`${e.system}\u0000${e.code}`, e]));
  const roots: ExpansionEntry[] = [];
  for (const e of flat) {
    let parent: ExpansionEntry | undefined;
    const seen = new Set<string>();
    let frontier = e.concept?.parents ?? [];
    while (!parent && frontier.length > 0) {
      const next: string[] = [];
      for (const code of frontier) {
        if (seen.has(code)) continue;
        seen.add(code);
        parent = byKey.get(`${e.system}\u0000${code}`);
        if (parent) break;
        const c = e.provider?.locate(code).concept;
        if (c) next.push(...c.parents);
      }
      frontier = next;
    }
    if (parent && parent !== e) parent.children.push(e);
    else roots.push(e);
  }
  return roots;
}

/** Whether every entry (nested ones included) comes from the same code-system provider. */
function fromOneProvider(entries: ExpansionEntry[]): boolean {
  if (cachedEntriesByCode(entries)) return true;
  const first = entries[0]?.provider;
  if (!first) return false;
  const walk = (list: ExpansionEntry[]): boolean => {
    for (const e of list) if (e.provider !== first || (e.children.length > 0 && !walk(e.children))) return false;
    return true;
  };
  return walk(entries);
}

const STANDARDS_STATUS = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status';

/**
 * `warning-draft|experimental|deprecated|withdrawn` expansion parameters for the resources used,
 * and `warning-deprecated|withdrawn` for the value set itself (tx.fhir.org).
 */
function statusWarnings(ctx: OperationContext, providers: Iterable<CodeSystemProvider>, valueSets: string[], self: ValueSet): ValueSetExpansionParameter[] {
  const out: ValueSetExpansionParameter[] = [];
  const standards = (r: { extension?: Extension[] } | undefined): string | undefined => r?.extension?.find((e) => e.url === STANDARDS_STATUS)?.valueCode;
  for (const p of providers) {
    const canonical = canonicalOf({ url: p.system, version: p.version });
    if (p.status === 'draft') out.push({ name: 'warning-draft', valueUri: canonical });
    if (p.experimental === true) out.push({ name: 'warning-experimental', valueUri: canonical });
    const s = standards(p.resource);
    if (s === 'deprecated' || s === 'withdrawn') out.push({ name: `warning-${s}`, valueUri: canonical });
  }
  for (const v of valueSets) {
    const s = standards(ctx.resolver.findValueSet(v));
    if (s === 'deprecated' || s === 'withdrawn') out.push({ name: `warning-${s}`, valueUri: v });
  }
  const own = standards(self);
  const canonical = canonicalOf(self);
  if ((own === 'deprecated' || own === 'withdrawn') && !out.some((p) => p.name === `warning-${own}` && p.valueUri === canonical)) out.push({ name: `warning-${own}`, valueUri: canonical });
  return out;
}

/**
 * An echoed request parameter. A weighted language list is echoed in the form tx.fhir.org renders
 * it (`de, *; q=0`: tags joined by ", ", weights as "; q="); other values as they were sent.
 */
function echoed(p: ValueSetExpansionParameter): ValueSetExpansionParameter {
  if (p.name !== 'displayLanguage' || typeof p.valueCode !== 'string' || !/;\s*q\s*=/.test(p.valueCode)) return p;
  const rendered = parseLanguagePreferences(p.valueCode, { keepZero: true, keepOrder: true })
    .map((l) => (l.q === 1 ? l.tag : `${l.tag}; q=${l.q}`))
    .join(', ');
  return { ...p, valueCode: rendered };
}

/** Runs $expand and returns the expanded ValueSet. */
export function expandValueSet(ctx: OperationContext, input: ExpandInput): ValueSet {
  const vs = input.valueSet;
  const hierarchical = input.excludeNested !== true;
  const composed = evaluateCompose(ctx, vs, { activeOnly: input.activeOnly, hierarchical, supplements: input.supplements, limit: input.limit });
  for (const provider of composed.usedCodeSystems.values()) assertCheckedVersion(ctx, provider.system, provider.version);
  // Enumerated codes and imported value sets give no hierarchy to keep (tx.fhir.org lists them flat).
  const enumerated = (vs.compose?.include ?? []).some((i) => (i.concept?.length ?? 0) > 0 || (i.valueSet?.length ?? 0) > 0);
  // The text filter flattens and orders by search rank, which is a total order within one code
  // system: nesting the whole expansion first (then flattening it again) changes nothing but the cost.
  const nestFirst = hierarchical && !enumerated && !(input.filter && fromOneProvider(composed.entries));
  let entries = nestFirst ? nestByHierarchy(composed.entries) : composed.entries;
  if (input.filter) {
    entries = applyTextFilter(entries, input.filter);
    // tx.fhir.org keeps the hierarchy of filter-defined sets after a text search, not of whole systems.
    const filtered = (vs.compose?.include ?? []).some((i) => (i.filter?.length ?? 0) > 0);
    if (hierarchical && filtered) entries = nestByHierarchy(entries);
  }
  const total = flatten(entries).length;
  const offset = input.offset ?? 0;
  const paged = input.count !== undefined || offset > 0;
  if (paged) {
    // Paging counts codes, so a paged expansion is flat (offset/count index the same list as total).
    const flat = flatten(entries).map((e) => ({ ...e, children: [] }));
    entries = flat.slice(offset, input.count !== undefined ? offset + input.count : undefined);
  }
  const builder = new ContainsBuilder(ctx, input);
  const versionsBySystem = new Map<string, Set<string>>();
  for (const p of composed.usedCodeSystems.values()) versionsBySystem.set(p.system, (versionsBySystem.get(p.system) ?? new Set()).add(p.version ?? ''));
  builder.multiVersion = new Set([...versionsBySystem].filter(([, v]) => v.size > 1 || composed.versionPolicy.versioned).map(([s]) => s));
  const contains = entries.map((e) => builder.build(e));
  // useSupplement is reported as used-supplement, not echoed (tx.fhir.org).
  const parameter: ValueSetExpansionParameter[] = input.echo.filter((p) => p.name !== 'useSupplement').map(echoed);
  for (const provider of composed.usedCodeSystems.values()) {
    parameter.push({ name: 'used-codesystem', valueUri: canonicalOf({ url: provider.system, version: provider.version }) });
    for (const s of provider.supplements) parameter.push({ name: 'used-supplement', valueUri: s });
  }
  for (const v of composed.usedValueSets) parameter.push({ name: 'used-valueset', valueUri: v });
  const notes = compositionNotes(composed);
  parameter.push(...notes.parameters);
  parameter.push(...statusWarnings(ctx, composed.usedCodeSystems.values(), composed.usedValueSets, vs));
  // compose is left out: the expansion states the content, and tx.fhir.org-style answers omit it.
  // The expansion carries the value set's identity and status, not its narrative-level metadata.
  // Its extensions too (valueset-supplement, standards-status...), unless the definition was asked for (tx.fhir.org).
  const { text: _text, meta: _meta, expansion: _old, compose: _compose, description: _description, purpose: _purpose, copyright: _copyright, extension, ...rest } = vs as ValueSet & { text?: unknown; meta?: unknown };
  if (input.includeDefinition && extension) (rest as ValueSet).extension = extension;
  const expansion: NonNullable<ValueSet['expansion']> = {
    identifier: `urn:uuid:${randomUUID()}`,
    timestamp: new Date().toISOString(),
    total,
  };
  if (paged) expansion.offset = offset;
  if (parameter.length > 0) expansion.parameter = parameter;
  const props: Extension[] = [...builder.usedProperties].map(([code, uri]) => ({
    url: `${XV}property`,
    extension: [{ url: 'code', valueCode: code }, ...(uri ? [{ url: 'uri', valueUri: uri }] : [])],
  }));
  if (props.length + notes.extensions.length > 0) expansion.extension = [...props, ...notes.extensions];
  if (contains.length > 0) expansion.contains = contains;
  return { ...rest, resourceType: 'ValueSet', expansion } as ValueSet;
}
