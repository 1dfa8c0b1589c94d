/**
 * The generic provider over a FHIR CodeSystem resource (+ supplements). Concepts are flattened and
 * indexed once at construction: code map (case-folded too), parent/child links from nesting and
 * from `parent`/`child` properties, and the normalised text-search index.
 */
import type { CodeSystem, CodeSystemConcept, CodeSystemProperty } from 'fhir/r4';
import type { CodeSystemProvider, Concept, ConceptProperty, Designation, LocateResult } from './provider.js';
import { TextSearchIndex } from './text-index.js';

const CONCEPT_PROPERTIES = 'http://hl7.org/fhir/concept-properties#';
const INACTIVE_STATUSES = new Set(['retired', 'inactive']);

export class ResourceCodeSystemProvider implements CodeSystemProvider {
  readonly system: string;
  readonly version?: string;
  readonly name?: string;
  readonly title?: string;
  readonly status?: string;
  readonly experimental?: boolean;
  readonly content: string;
  readonly caseSensitive: boolean;
  readonly language?: string;
  readonly hierarchyMeaning?: string;
  readonly supplements: string[];
  readonly propertyDefinitions: CodeSystemProperty[];
  readonly resource: CodeSystem;

  protected readonly list: Concept[] = [];
  protected readonly byCode = new Map<string, Concept>();
  protected readonly byFoldedCode = new Map<string, Concept>();
  private rootList: Concept[] = [];
  private textIndex?: TextSearchIndex;
  /** Property codes by meaning, resolved through the property URIs (a system may call `status` something else). */
  private readonly propertyCodeFor: Record<'status' | 'inactive' | 'notSelectable' | 'deprecated', string>;

  constructor(resource: CodeSystem, supplements: CodeSystem[] = []) {
    this.resource = resource;
    this.system = resource.url ?? '';
    this.version = resource.version;
    this.name = resource.name;
    this.title = resource.title;
    this.status = resource.status;
    this.experimental = resource.experimental;
    this.content = resource.content ?? 'complete';
    this.caseSensitive = resource.caseSensitive === true;
    this.language = resource.language;
    this.hierarchyMeaning = resource.hierarchyMeaning;
    this.supplements = supplements.map((s) => (s.version ? `${s.url}|${s.version}` : (s.url ?? '')));
    this.propertyDefinitions = [...(resource.property ?? [])];
    for (const s of supplements) {
      for (const p of s.property ?? []) if (!this.propertyDefinitions.some((d) => d.code === p.code)) this.propertyDefinitions.push(p);
    }
    const codeFor = (meaning: string): string => this.propertyDefinitions.find((p) => p.uri === CONCEPT_PROPERTIES + meaning)?.code ?? meaning;
    this.propertyCodeFor = { status: codeFor('status'), inactive: codeFor('inactive'), notSelectable: codeFor('notSelectable'), deprecated: codeFor('deprecated') };
    this.rootList = this.addConcepts(resource.concept ?? [], undefined);
    this.linkPropertyHierarchy();
    for (const s of supplements) this.applySupplement(s);
  }

  private addConcepts(concepts: CodeSystemConcept[], parent: Concept | undefined): Concept[] {
    const out: Concept[] = [];
    for (const c of concepts) {
      const concept: Concept = {
        code: c.code,
        display: c.display,
        definition: c.definition,
        designations: (c.designation ?? []).map((d) => ({ language: d.language, use: d.use, value: d.value, ...(d.extension ? { extension: d.extension } : {}) })),
        properties: (c.property ?? []).map((p) => ({ ...p }) as ConceptProperty),
        parents: parent ? [parent.code] : [],
        children: [],
        extensions: c.extension as unknown as Array<Record<string, unknown>> | undefined,
        ordinal: this.list.length,
      };
      if (this.byCode.has(c.code)) continue; // duplicate definitions: first wins
      this.list.push(concept);
      this.byCode.set(c.code, concept);
      const folded = c.code.toLowerCase();
      if (!this.byFoldedCode.has(folded)) this.byFoldedCode.set(folded, concept);
      if (parent) parent.children.push(c.code);
      out.push(concept);
      if (c.concept) this.addConcepts(c.concept, concept);
    }
    return out;
  }

  /** `parent` / `child` properties (FHIR concept-properties) add hierarchy links beyond nesting. */
  private linkPropertyHierarchy(): void {
    for (const concept of this.list) {
      for (const p of concept.properties) {
        const target = typeof p.valueCode === 'string' ? p.valueCode : undefined;
        if (!target || !this.byCode.has(target)) continue;
        if (p.code === 'parent' && !concept.parents.includes(target)) {
          concept.parents.push(target);
          this.byCode.get(target)!.children.push(concept.code);
        } else if (p.code === 'child' && !concept.children.includes(target)) {
          concept.children.push(target);
          this.byCode.get(target)!.parents.push(concept.code);
        }
      }
    }
    this.rootList = this.list.filter((c) => c.parents.length === 0);
  }

  private applySupplement(supplement: CodeSystem): void {
    const source = supplement.version ? `${supplement.url}|${supplement.version}` : (supplement.url ?? '');
    const walk = (concepts: CodeSystemConcept[]): void => {
      for (const sc of concepts) {
        const concept = this.byCode.get(sc.code);
        if (concept) {
          if (sc.display && supplement.language) concept.designations.push({ language: supplement.language, value: sc.display, source });
          for (const d of sc.designation ?? []) concept.designations.push({ language: d.language, use: d.use, value: d.value, source, ...(d.extension ? { extension: d.extension } : {}) });
          for (const p of sc.property ?? []) concept.properties.push({ ...p } as ConceptProperty);
          if (sc.extension) concept.extensions = [...(concept.extensions ?? []), ...(sc.extension as unknown as Array<Record<string, unknown>>)];
        }
        if (sc.concept) walk(sc.concept);
      }
    };
    walk(supplement.concept ?? []);
  }

  locate(code: string): LocateResult {
    const exact = this.byCode.get(code);
    if (exact) return { concept: exact };
    if (!this.caseSensitive) {
      const folded = this.byFoldedCode.get(code.toLowerCase());
      if (folded) return { concept: folded, caseDifference: true };
    }
    return {};
  }

  concepts(): readonly Concept[] {
    return this.list;
  }

  roots(): readonly Concept[] {
    return this.rootList;
  }

  childrenOf(concept: Concept): Concept[] {
    return concept.children.map((c) => this.byCode.get(c)).filter((c): c is Concept => c !== undefined);
  }

  subsumes(ancestor: Concept, descendant: Concept): boolean {
    if (ancestor.code === descendant.code) return true;
    const seen = new Set<string>();
    const stack = [...descendant.parents];
    while (stack.length > 0) {
      const code = stack.pop()!;
      if (code === ancestor.code) return true;
      if (seen.has(code)) continue;
      seen.add(code);
      const c = this.byCode.get(code);
      if (c) stack.push(...c.parents);
    }
    return false;
  }

  propertyValues(concept: Concept, code: string): ConceptProperty[] {
    return concept.properties.filter((p) => p.code === code);
  }

  statusOf(concept: Concept): string | undefined {
    const p = this.propertyValues(concept, this.propertyCodeFor.status)[0];
    const v = p?.valueCode ?? p?.valueString;
    return typeof v === 'string' ? v : undefined;
  }

  isInactive(concept: Concept): boolean {
    const inactive = this.propertyValues(concept, this.propertyCodeFor.inactive)[0];
    if (inactive && inactive.valueBoolean === true) return true;
    const status = this.statusOf(concept);
    return status !== undefined && INACTIVE_STATUSES.has(status);
  }

  isDeprecated(concept: Concept): boolean {
    if (this.statusOf(concept) === 'deprecated') return true;
    return this.propertyValues(concept, this.propertyCodeFor.deprecated).some((p) => p.valueBoolean === true || p.valueDateTime !== undefined);
  }

  isAbstract(concept: Concept): boolean {
    return this.propertyValues(concept, this.propertyCodeFor.notSelectable).some((p) => p.valueBoolean === true);
  }

  search(text: string): Concept[] {
    if (!this.textIndex) {
      const index = new TextSearchIndex();
      for (const c of this.list) index.add(c.ordinal, c.code, c.display, c.designations.map((d: Designation) => d.value));
      this.textIndex = index;
    }
    return this.textIndex.search(text).map((h) => this.list[h.ordinal]!);
  }

  /** Builds the search index now (call at load time for code systems on the hot path). */
  warmUp(): void {
    this.search('');
  }
}
