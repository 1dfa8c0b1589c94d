/**
 * Which GET `ConceptMap/$translate` answers may be cached. `$translate` is the engine's translation
 * through ConceptMaps in the registry, wrapped by the exam-name matcher (src/fhir/matching-operations.ts
 * `translateWithMatcher`), which answers from the matcher and the senders' learned mappings — state
 * rebuilt or reloaded outside the registry — when the source is free text or the request names the
 * matcher itself (`url` = its OperationDefinition canonical). A request that names one ConceptMap
 * explicitly (`url`, or the instance `ConceptMap/{id}/$translate`) and is not the matcher's is
 * answered by the engine from that map alone (the wrapper sets `mapOrTargetElsewhere` and never
 * falls back to free text), so its answer is a pure function of the URL, Accept-Language and the
 * registry, which the registry generation already tracks. Learned maps are ConceptMap resources
 * (`learned-*`) and enter the registry like any other, so naming one explicitly is covered too.
 *
 * Everything else stays uncached: no map named (the engine then searches every map, and the
 * wrapper may fall back to the matcher), a parameter outside the list below (it might carry free
 * text or change the wrapper's choice), or any parameter given twice (which value wins is the
 * handlers' business, not this rule's).
 */

/** The `$translate` parameters that select and query one map (FHIR R4/R5 names), nothing else. */
const EXPLICIT_MAP_PARAMETERS = new Set([
  'url', 'conceptMapVersion',
  'system', 'sourceSystem', 'code', 'sourceCode', 'version',
  'targetsystem', 'targetSystem', 'target', 'targetScope', 'source', 'sourceScope',
  'reverse', 'targetCode', 'displayLanguage',
]);

export interface TranslateRequest {
  /** `ConceptMap/{id}/$translate` (instance level). */
  instance: boolean;
  /** The GET query, as normaliseQuery gives it. */
  query: Record<string, string[]>;
}

/**
 * @param matcherCanonicals canonicals that make `$translate` answer from the matcher (the
 *   `$standardize` OperationDefinition's); when unknown, pass undefined and nothing is cached.
 */
export function isCacheableTranslate(r: TranslateRequest, matcherCanonicals: ReadonlySet<string> | undefined): boolean {
  if (!matcherCanonicals) return false;
  for (const [name, values] of Object.entries(r.query)) {
    if (!EXPLICIT_MAP_PARAMETERS.has(name) || values.length !== 1) return false;
  }
  const url = r.query.url?.[0];
  if (url !== undefined && (url === '' || matcherCanonicals.has(url))) return false;
  return r.instance || url !== undefined;
}
