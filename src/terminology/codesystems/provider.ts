/**
 * The code-system provider interface: every code system the engine answers for (a FHIR CodeSystem
 * resource, or a computed system such as the Rimag exam-item code with device-specific variants)
 * sits behind this one interface. Modelled on FHIRsmith's provider/filter design (tx/cs/cs-api.js),
 * typed and with no framework imports.
 *
 * Adding a code system implemented in code:
 * ```ts
 * registry.registerProviderFactory('https://example.org/CodeSystem/x', (resource, supplements) => new MyProvider(resource, supplements));
 * ```
 * The factory is called whenever a provider is needed for a CodeSystem resource with that URL
 * (the resource may be a content-less stub carrying name/version/properties). A custom provider
 * usually extends `ResourceCodeSystemProvider` and overrides `locate` (to accept computed codes and
 * explain invalid ones) while inheriting hierarchy, filters and text search.
 */
import type { CodeSystem, CodeSystemProperty, Coding, Extension } from 'fhir/r4';

export interface Designation {
  language?: string;
  use?: Coding;
  value: string;
  /** Extensions on the designation (e.g. coding-sctdescid, standards-status), echoed by $expand. */
  extension?: Extension[];
  /** `url|version` of the supplement that added it ($lookup reports it as the designation's source). */
  source?: string;
}

/** One concept property value, as the FHIR element (`{ code, valueCode | valueString | … }`). */
export interface ConceptProperty {
  code: string;
  [valueKey: `value${string}`]: unknown;
}

export interface Concept {
  code: string;
  display?: string;
  definition?: string;
  designations: Designation[];
  properties: ConceptProperty[];
  /** Codes of the parents (hierarchy from nesting and from `parent` properties). */
  parents: string[];
  /** Codes of the children. */
  children: string[];
  /** Concept-level extensions kept for the expansion (e.g. valueset-label, conceptOrder). */
  extensions?: Array<Record<string, unknown>>;
  /** Position in the code system (definition order). */
  ordinal: number;
}

/** The answer to `locate`: the concept, or why there is none. */
export interface LocateResult {
  concept?: Concept;
  /** Set when the code was found only by ignoring case (case-insensitive systems). */
  caseDifference?: boolean;
  /** An explanation of why the code is invalid (custom providers: which segment is wrong). */
  message?: string;
}

/** A predicate built from one `compose.include.filter`. */
export interface ConceptFilter {
  matches(concept: Concept): boolean;
}

export interface CodeSystemProvider {
  readonly system: string;
  readonly version?: string;
  readonly name?: string;
  readonly title?: string;
  readonly status?: string;
  readonly experimental?: boolean;
  /** complete | fragment | example | not-present | supplement. */
  readonly content: string;
  readonly caseSensitive: boolean;
  /** Language of the displays (CodeSystem.language). */
  readonly language?: string;
  readonly hierarchyMeaning?: string;
  /** `url|version` of each supplement applied. */
  readonly supplements: string[];
  readonly propertyDefinitions: CodeSystemProperty[];
  readonly resource?: CodeSystem;

  locate(code: string): LocateResult;
  /** All concepts in definition order. */
  concepts(): readonly Concept[];
  roots(): readonly Concept[];
  childrenOf(concept: Concept): Concept[];
  /** True when `descendant` is `ancestor` or below it. */
  subsumes(ancestor: Concept, descendant: Concept): boolean;
  isInactive(concept: Concept): boolean;
  isAbstract(concept: Concept): boolean;
  isDeprecated(concept: Concept): boolean;
  /** The concept's status code when the code system states one (active, retired, deprecated, …). */
  statusOf(concept: Concept): string | undefined;
  propertyValues(concept: Concept, code: string): ConceptProperty[];
  /** Text search over code, display and designations, best match first. */
  search(text: string): Concept[];
  /** Optional: a provider-specific filter; return undefined to use the generic filter model. */
  buildFilter?(property: string, op: string, value: string): ConceptFilter | undefined;
}

/** Builds a provider for a CodeSystem resource (plus any supplements to apply). */
export type ProviderFactory = (resource: CodeSystem, supplements: CodeSystem[]) => CodeSystemProvider;
