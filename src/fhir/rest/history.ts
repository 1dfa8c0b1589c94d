/**
 * `_history` at system, type and instance level (FHIR R4 §3.1.0.9), with `_since`, `_count` and
 * cursor paging on the store's global change sequence. Default order is newest first (the spec's
 * order); `_sort=_lastUpdated` gives oldest first, the order an incremental sync wants. Either way
 * a `next` link carries `_cursor=<seq>`, so pages stay complete and stable under concurrent writes.
 */
import type { Bundle, BundleEntry, BundleLink, Resource } from 'fhir/r4';
import { InvalidRequestError } from '../../errors.js';
import type { HistoryQuery, ResourceStore, ResourceVersion } from '../../store/store.js';
import type { FhirRequest } from '../http/response.js';
import { newBundle, pageUrl } from './bundle.js';
import { parseDateRange } from './date-param.js';
import { parseCount, parseCursor } from './paging.js';

export function etag(version: Pick<ResourceVersion, 'versionId'>): string {
  return `W/"${version.versionId}"`;
}

/** One history entry: request/response describe the interaction that produced the version. */
export function historyEntry(baseUrl: string, v: ResourceVersion): BundleEntry<Resource> {
  const path = `${v.resourceType}/${v.id}`;
  const method = v.deleted ? 'DELETE' : v.versionId === 1 ? 'POST' : 'PUT';
  const status = v.deleted ? '204 No Content' : method === 'POST' ? '201 Created' : '200 OK';
  return {
    fullUrl: `${baseUrl}/${path}`,
    ...(v.deleted ? {} : { resource: v.resource }),
    request: { method, url: method === 'POST' ? v.resourceType : path },
    response: { status, etag: etag(v), lastModified: v.lastUpdated },
  };
}

function parseSince(values: string[] | undefined): string | undefined {
  if (!values || values.length === 0) return undefined;
  return new Date(parseDateRange(values[values.length - 1]!, '_since').start).toISOString();
}

function parseOrder(values: string[] | undefined): 'asc' | 'desc' {
  const v = values?.[values.length - 1];
  if (v === undefined || v === '-_lastUpdated') return 'desc';
  if (v === '_lastUpdated') return 'asc';
  throw new InvalidRequestError(`_history can be sorted by _lastUpdated or -_lastUpdated, not '${v}'`, { code: 'not-supported', expression: ['_sort'] });
}

/** Newest-first page strictly below `cursor`; the store pages by afterSeq only, so skip what is above. */
async function descPage(store: ResourceStore, base: HistoryQuery, cursor: number | undefined, take: number): Promise<ResourceVersion[]> {
  if (cursor === undefined) return store.history({ ...base, order: 'desc', limit: take });
  let limit = (await store.historyCount({ ...base, afterSeq: cursor - 1 })) + take;
  for (;;) {
    const fetched = await store.history({ ...base, order: 'desc', limit });
    const page = fetched.filter((v) => v.seq < cursor).slice(0, take);
    // Writes between the count and the fetch push older versions past `limit`: widen and retry.
    if (page.length === take || fetched.length < limit) return page;
    limit *= 2;
  }
}

export interface HistoryTarget {
  resourceType?: string;
  id?: string;
}

export async function readHistory(store: ResourceStore, target: HistoryTarget, req: FhirRequest): Promise<Bundle<Resource>> {
  const since = parseSince(req.query._since);
  const order = parseOrder(req.query._sort);
  const count = parseCount(req.query);
  const cursor = parseCursor(req.query);
  const base: HistoryQuery = {
    ...(target.resourceType ? { resourceType: target.resourceType } : {}),
    ...(target.id !== undefined ? { id: target.id } : {}),
    ...(since ? { since } : {}),
  };
  const total = await store.historyCount(base);
  const versions = count === 0 ? [] : order === 'asc'
    ? await store.history({ ...base, order, limit: count + 1, ...(cursor !== undefined ? { afterSeq: cursor } : {}) })
    : await descPage(store, base, cursor, count + 1);
  const page = versions.slice(0, count);
  const path = `${target.resourceType ? `/${target.resourceType}` : ''}${target.id !== undefined ? `/${target.id}` : ''}/_history`;
  const make = (paging: Record<string, number>) => pageUrl(req.baseUrl, path, req.query, paging);
  const links: BundleLink[] = [{ relation: 'self', url: make({ _count: count, ...(cursor !== undefined ? { _cursor: cursor } : {}) }) }];
  if (versions.length > count && page.length > 0) links.push({ relation: 'next', url: make({ _count: count, _cursor: page[page.length - 1]!.seq }) });
  return newBundle('history', total, links, page.map((v) => historyEntry(req.baseUrl, v)));
}
