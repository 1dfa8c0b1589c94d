/** Small terminology resources for the HTTP tests. */
import type { CodeSystem, ConceptMap, ValueSet } from 'fhir/r4';

export function codeSystem(overrides: Partial<CodeSystem> = {}): CodeSystem {
  return {
    resourceType: 'CodeSystem',
    url: 'http://example.org/cs/body-site',
    version: '1.0.0',
    name: 'BodySite',
    title: 'Body site',
    status: 'active',
    content: 'complete',
    concept: [
      { code: 'head', display: '头部', concept: [{ code: 'brain', display: '颅脑' }] },
      { code: 'chest', display: '胸部' },
    ],
    ...overrides,
  };
}

export function valueSet(overrides: Partial<ValueSet> = {}): ValueSet {
  return {
    resourceType: 'ValueSet',
    url: 'http://example.org/vs/body-site',
    version: '1.0.0',
    name: 'BodySiteAll',
    status: 'active',
    compose: { include: [{ system: 'http://example.org/cs/body-site' }] },
    ...overrides,
  };
}

export function conceptMap(overrides: Partial<ConceptMap> = {}): ConceptMap {
  return {
    resourceType: 'ConceptMap',
    url: 'http://example.org/cm/local-to-std',
    version: '1',
    name: 'LocalToStd',
    status: 'draft',
    sourceUri: 'http://example.org/vs/local',
    targetUri: 'http://example.org/vs/body-site',
    group: [{ source: 'http://example.org/cs/local', target: 'http://example.org/cs/body-site', element: [{ code: 'L1', target: [{ code: 'head', equivalence: 'equivalent' }] }] }],
    ...overrides,
  };
}
