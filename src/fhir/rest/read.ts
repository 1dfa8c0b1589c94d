/** read and vread (FHIR R4 §3.1.0.2–3): current or specific version; tombstones answer 410. */
import { GoneError, InvalidRequestError, NotFoundError, UnavailableError } from '../../errors.js';
import type { ResourceVersion } from '../../store/store.js';
import type { FhirRequest, FhirResponse } from '../http/response.js';
import type { RestContext } from './context.js';
import { etag } from './history.js';
import { parseElements, parseSummary, subsetResource } from './summary.js';

export function versionHeaders(v: ResourceVersion): Record<string, string> {
  return { ETag: etag(v), 'Last-Modified': new Date(v.lastUpdated).toUTCString() };
}

function render(v: ResourceVersion, req: FhirRequest): FhirResponse {
  const summary = parseSummary(req.query._summary);
  const elements = parseElements(req.query._elements);
  const resource = subsetResource(v.resource, { ...(summary ? { summary } : {}), ...(elements ? { elements } : {}) });
  return { status: 200, resource, headers: versionHeaders(v) };
}

/** Reads keep serving from memory while the database is unavailable (issue 7 robustness). */
async function readCurrent(ctx: RestContext, type: string, id: string): Promise<ResourceVersion | undefined> {
  try {
    return await ctx.store.read(type, id);
  } catch (err) {
    const held = err instanceof UnavailableError ? ctx.index.peek(type, id) : undefined;
    if (!held) throw err;
    ctx.logger.warn({ type, id }, 'store unavailable: read served from the in-memory index');
    return held;
  }
}

export async function readResource(ctx: RestContext, type: string, id: string, req: FhirRequest): Promise<FhirResponse> {
  const v = await readCurrent(ctx, type, id);
  if (!v) throw new NotFoundError(`${type}/${id} is not known`, { txIssueType: undefined });
  if (v.deleted) throw new GoneError(`${type}/${id} was deleted (version ${v.versionId}, ${v.lastUpdated})`);
  // Conditional read (FHIR R4 §3.1.0.8): the client's copy is current.
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').map((t) => t.trim()).includes(etag(v))) return { status: 304, headers: versionHeaders(v) };
  return render(v, req);
}

export async function vreadResource(ctx: RestContext, type: string, id: string, vid: string, req: FhirRequest): Promise<FhirResponse> {
  if (!/^[1-9]\d{0,15}$/.test(vid)) throw new InvalidRequestError(`Invalid version id '${vid}'`);
  const v = await ctx.store.vread(type, id, Number(vid));
  if (!v) throw new NotFoundError(`${type}/${id}/_history/${vid} is not known`, { txIssueType: undefined });
  if (v.deleted) throw new GoneError(`${type}/${id}/_history/${vid} is the deletion of ${type}/${id}`);
  return render(v, req);
}
