/**
 * Talking to the upstream FHIR server: one GET of one Bundle page, with a timeout, and a strict
 * check of what came back. Every failure is an `UpstreamError` whose message says why (timeout,
 * HTTP status with the upstream's OperationOutcome text, malformed JSON, not a Bundle, bad entry),
 * so a sync report can show it and the caller can leave the local copy untouched.
 */
import type { Bundle, BundleEntry, OperationOutcome, Resource } from 'fhir/r4';

export class UpstreamError extends Error {
  constructor(
    message: string,
    /** Worth retrying (timeouts, connection errors, 5xx, 429). */
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface PageRequest {
  url: string;
  timeoutMs: number;
  fetch: FetchFn;
  /** Bundle types accepted (searchset for search, history for _history). */
  expectType: Bundle['type'];
  /** Absolute URL prefix every `next` link must stay under (no redirecting the sync elsewhere). */
  upstreamBase: string;
  signal?: AbortSignal;
}

export interface Page {
  bundle: Bundle;
  /** Upstream clock when the page was produced: Bundle.meta.lastUpdated, else the Date header. */
  upstreamTime?: string;
  next?: string;
}

const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;

function outcomeText(body: unknown): string | undefined {
  const oo = body as OperationOutcome | undefined;
  if (oo?.resourceType !== 'OperationOutcome' || !Array.isArray(oo.issue)) return undefined;
  return oo.issue.map((i) => i.details?.text ?? i.diagnostics ?? i.code).join('; ');
}

async function readBody(res: Response, url: string): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UpstreamError(`GET ${url}: malformed JSON (${(err as Error).message}); first bytes: ${JSON.stringify(text.slice(0, 80))}`, false);
  }
}

/** Checks one entry's shape; returns a reason when it is unusable. */
export function entryProblem(entry: BundleEntry, index: number): string | undefined {
  if (typeof entry !== 'object' || entry === null) return `entry ${index} is not an object`;
  const method = entry.request?.method;
  if (entry.resource === undefined) {
    if (method === 'DELETE' && typeof entry.request?.url === 'string') return undefined;
    return `entry ${index} has no resource`;
  }
  const r = entry.resource as Resource & { url?: unknown };
  if (typeof r !== 'object' || r === null || typeof r.resourceType !== 'string') return `entry ${index}: resource has no resourceType`;
  // Other types (search outcomes, OperationDefinitions in a system-wide history) are ignored later.
  if (!['CodeSystem', 'ValueSet', 'ConceptMap'].includes(r.resourceType)) return undefined;
  if (typeof r.id !== 'string' || !ID_RE.test(r.id)) return `entry ${index}: ${r.resourceType} has no valid id`;
  if (typeof r.url !== 'string') return `entry ${index}: ${r.resourceType}/${r.id} has no canonical url`;
  return undefined;
}

function resolveNext(bundle: Bundle, url: string, upstreamBase: string): string | undefined {
  const next = bundle.link?.find((l) => l.relation === 'next')?.url;
  if (next === undefined) return undefined;
  let absolute: string;
  try {
    absolute = new URL(next, url).toString();
  } catch {
    throw new UpstreamError(`GET ${url}: next link ${JSON.stringify(next)} is not a URL`, false);
  }
  const base = new URL(upstreamBase);
  const target = new URL(absolute);
  if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname.replace(/\/+$/, ''))) {
    throw new UpstreamError(`GET ${url}: next link ${absolute} leaves the upstream ${upstreamBase}`, false);
  }
  return absolute;
}

export async function fetchPage(req: PageRequest): Promise<Page> {
  const signals = [AbortSignal.timeout(req.timeoutMs), ...(req.signal ? [req.signal] : [])];
  let res: Response;
  try {
    res = await req.fetch(req.url, { headers: { accept: 'application/fhir+json' }, signal: AbortSignal.any(signals) });
  } catch (err) {
    const e = err as Error;
    if (req.signal?.aborted) throw new UpstreamError(`GET ${req.url}: interrupted`, true);
    if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new UpstreamError(`GET ${req.url}: timed out after ${req.timeoutMs} ms`, true);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new UpstreamError(`GET ${req.url}: ${cause?.code ?? cause?.message ?? e.message}`, true);
  }
  let body: unknown;
  try {
    body = await readBody(res, req.url);
  } catch (err) {
    if (err instanceof UpstreamError && res.ok) throw err;
    const e = err as Error;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new UpstreamError(`GET ${req.url}: timed out after ${req.timeoutMs} ms while reading the body`, true);
    if (!(err instanceof UpstreamError)) throw new UpstreamError(`GET ${req.url}: ${e.message}`, true);
    body = undefined;
  }
  if (!res.ok) {
    const why = outcomeText(body);
    throw new UpstreamError(`GET ${req.url}: HTTP ${res.status}${why ? `: ${why}` : ''}`, res.status >= 500 || res.status === 429);
  }
  const bundle = body as Bundle;
  if (typeof bundle !== 'object' || bundle === null || bundle.resourceType !== 'Bundle') {
    throw new UpstreamError(`GET ${req.url}: expected a Bundle, got ${typeof bundle === 'object' && bundle ? String((bundle as { resourceType?: unknown }).resourceType) : typeof bundle}`, false);
  }
  if (bundle.type !== req.expectType) throw new UpstreamError(`GET ${req.url}: expected a ${req.expectType} Bundle, got type ${String(bundle.type)}`, false);
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) throw new UpstreamError(`GET ${req.url}: Bundle.entry is not an array`, false);
  for (const [i, entry] of (bundle.entry ?? []).entries()) {
    const problem = entryProblem(entry, i);
    if (problem) throw new UpstreamError(`GET ${req.url}: malformed Bundle: ${problem}`, false);
  }
  const date = res.headers.get('date');
  const upstreamTime = bundle.meta?.lastUpdated ?? (date && !Number.isNaN(Date.parse(date)) ? new Date(date).toISOString() : undefined);
  const next = resolveNext(bundle, req.url, req.upstreamBase);
  return { bundle, ...(upstreamTime ? { upstreamTime } : {}), ...(next ? { next } : {}) };
}
