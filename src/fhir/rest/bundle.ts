/**
 * Bundle building (FHIR R4 Bundle, §3.1.1.6 paging): searchset and history bundles with
 * `self`/`first`/`next`/`previous` links built from the request's own query.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, BundleLink, Resource } from 'fhir/r4';

/** Query args that are rebuilt per link rather than copied. */
const PAGING_ARGS = new Set(['_count', '_offset', '_cursor', '_format', '_pretty']);

export function pageUrl(baseUrl: string, path: string, query: Record<string, string[]>, paging: Record<string, string | number>): string {
  const parts: string[] = [];
  for (const [name, values] of Object.entries(query)) {
    if (PAGING_ARGS.has(name)) continue;
    for (const v of values) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(v)}`);
  }
  for (const [name, value] of Object.entries(paging)) parts.push(`${name}=${encodeURIComponent(String(value))}`);
  return `${baseUrl}${path}${parts.length ? `?${parts.join('&')}` : ''}`;
}

export function newBundle(type: Bundle['type'], total: number | undefined, link: BundleLink[], entry: BundleEntry<Resource>[]): Bundle<Resource> {
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { lastUpdated: new Date().toISOString() },
    type,
    ...(total !== undefined ? { total } : {}),
    ...(link.length ? { link } : {}),
    ...(entry.length ? { entry } : {}),
  };
}

export interface OffsetPage {
  offset: number;
  count: number;
  total: number;
}

/** self/first/previous/next/last links for offset paging. */
export function offsetLinks(make: (paging: Record<string, number>) => string, page: OffsetPage): BundleLink[] {
  const { offset, count, total } = page;
  const links: BundleLink[] = [{ relation: 'self', url: make({ _count: count, _offset: offset }) }];
  if (count === 0) return links;
  links.push({ relation: 'first', url: make({ _count: count, _offset: 0 }) });
  if (offset > 0) links.push({ relation: 'previous', url: make({ _count: count, _offset: Math.max(0, offset - count) }) });
  if (offset + count < total) links.push({ relation: 'next', url: make({ _count: count, _offset: offset + count }) });
  const lastOffset = total === 0 ? 0 : Math.floor((total - 1) / count) * count;
  links.push({ relation: 'last', url: make({ _count: count, _offset: lastOffset }) });
  return links;
}
