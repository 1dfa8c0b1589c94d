/**
 * Type-level search over the in-memory index of current resources (FHIR R4 §3.1.1): criteria,
 * `_sort`, `_count`/`_offset` paging with stable offsets (results are totally ordered), `_summary`,
 * `_elements`, and a `search.mode = outcome` entry warning about ignored parameters.
 */
import type { Bundle, BundleEntry, Resource } from 'fhir/r4';
import { InvalidRequestError, operationOutcome, toIssue } from '../../errors.js';
import type { ResourceVersion } from '../../store/store.js';
import type { FhirRequest } from '../http/response.js';
import { newBundle, offsetLinks, pageUrl } from './bundle.js';
import { parseCount, parseOffset } from './paging.js';
import { matchesCriteria, parseCriteria, searchParamsFor } from './search-params.js';
import { parseElements, parseSummary, subsetResource } from './summary.js';

type Comparator = (a: ResourceVersion, b: ResourceVersion) => number;

function field(v: ResourceVersion, name: string): string {
  if (name === '_id') return v.id;
  if (name === '_lastUpdated') return v.lastUpdated;
  const value = (v.resource as unknown as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `_sort=name,-_lastUpdated`; ties always broken by id so offsets are stable. */
export function parseSort(resourceType: string, values: string[] | undefined): Comparator {
  const sortable = new Set(searchParamsFor(resourceType).filter((d) => d.type !== 'reference').map((d) => d.name));
  const keys = (values ?? []).flatMap((v) => v.split(',')).filter((k) => k !== '').map((k) => {
    const desc = k.startsWith('-');
    const name = desc ? k.slice(1) : k;
    if (!sortable.has(name)) throw new InvalidRequestError(`Cannot sort on '${name}'`, { code: 'not-supported', expression: ['_sort'] });
    return { name, desc };
  });
  return (a, b) => {
    for (const { name, desc } of keys) {
      const c = cmp(field(a, name), field(b, name));
      if (c !== 0) return desc ? -c : c;
    }
    return cmp(a.id, b.id);
  };
}

export interface SearchInput {
  resourceType: string;
  req: FhirRequest;
  current: ResourceVersion[];
  /** `Prefer: handling=strict` turns ignored parameters into a 400. */
  strict: boolean;
}

export function fullUrl(baseUrl: string, resource: Pick<Resource, 'resourceType' | 'id'>): string {
  return `${baseUrl}/${resource.resourceType}/${resource.id}`;
}

export function searchResources({ resourceType, req, current, strict }: SearchInput): Bundle<Resource> {
  const { query } = req;
  const { criteria, unknown } = parseCriteria(resourceType, query);
  if (unknown.length > 0 && strict) {
    throw new InvalidRequestError(`Unknown search parameter(s): ${unknown.join(', ')}`, { code: 'not-supported', expression: unknown });
  }
  const summary = parseSummary(query._summary);
  const elements = parseElements(query._elements);
  const count = summary === 'count' ? 0 : parseCount(query);
  const offset = parseOffset(query);
  const matches = current.filter((v) => matchesCriteria(v, criteria)).sort(parseSort(resourceType, query._sort));

  const entry: BundleEntry<Resource>[] = matches.slice(offset, offset + count).map((v) => ({
    fullUrl: fullUrl(req.baseUrl, v.resource),
    resource: subsetResource(v.resource, { ...(summary ? { summary } : {}), ...(elements ? { elements } : {}) }),
    search: { mode: 'match' },
  }));
  if (unknown.length > 0) {
    entry.push({
      resource: operationOutcome([toIssue({ severity: 'warning', code: 'not-supported', message: `Search parameter(s) ignored: ${unknown.join(', ')}` })]),
      search: { mode: 'outcome' },
    });
  }
  const ignored = new Set(unknown);
  const echoed = Object.fromEntries(Object.entries(query).filter(([k]) => !ignored.has(k)));
  const links = offsetLinks((paging) => pageUrl(req.baseUrl, `/${resourceType}`, echoed, paging), { offset, count, total: matches.length });
  return newBundle('searchset', matches.length, links, entry);
}
