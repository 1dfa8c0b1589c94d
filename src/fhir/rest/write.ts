/**
 * create, update and delete (FHIR R4 §3.1.0.4–7) for CodeSystem, ValueSet and ConceptMap:
 * admin token → schema validation (400) → semantic validation (422, warnings reported) →
 * store write (versions, If-Match 412) → in-memory index and registry refresh → audit.
 * Conditional create uses `If-None-Exist` with this server's own search (0 → create, 1 → 200 with
 * the match, more → 412).
 */
import { randomUUID } from 'node:crypto';
import type { OperationOutcome, Resource } from 'fhir/r4';
import {
  InvalidRequestError, NotFoundError, TerminologyError, asTerminologyError, operationOutcome, toIssue, type IssueInit,
} from '../../errors.js';
import type { PutResult, ResourceVersion } from '../../store/store.js';
import type { Caller } from '../auth.js';
import type { TerminologyResource } from '../deps.js';
import type { FhirRequest, FhirResponse } from '../http/response.js';
import { checkSemantics } from '../validation/semantic.js';
import type { RestContext } from './context.js';
import { versionHeaders } from './read.js';
import { matchesCriteria, parseCriteria } from './search-params.js';

const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;

/** `If-Match: W/"3"` (also `"3"` or `3`) → 3. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m) throw new InvalidRequestError(`Invalid If-Match '${header}': expected W/"<versionId>"`, { expression: ['If-Match'] });
  return Number(m[1]);
}

type PreferReturn = 'minimal' | 'representation' | 'OperationOutcome' | undefined;

function preferReturn(req: FhirRequest): PreferReturn {
  const m = /return=(minimal|representation|OperationOutcome)/.exec(req.headers.prefer ?? '');
  return m?.[1] as PreferReturn;
}

function assertBody(req: FhirRequest, type: string): Resource & Record<string, unknown> {
  const body = req.body as (Resource & Record<string, unknown>) | undefined;
  if (body === undefined) throw new InvalidRequestError(`A ${type} resource is required in the body`, { code: 'required' });
  if (body.resourceType !== type) {
    throw new InvalidRequestError(`The body is a ${String(body.resourceType ?? 'resource without resourceType')}, but the URL is for ${type}`, { expression: ['resourceType'] });
  }
  return body;
}

/** Schema then semantics; returns the warnings, throws 400/422 on errors (warnings included). */
function validate(ctx: RestContext, resource: TerminologyResource): IssueInit[] {
  ctx.validator.assertValid(resource);
  const { errors, warnings } = checkSemantics(resource, ctx.registry);
  if (errors.length > 0) throw new TerminologyError(422, [...errors, ...warnings]);
  return warnings;
}

function writeResponse(req: FhirRequest, put: PutResult, warnings: IssueInit[]): FhirResponse {
  const v = put.version;
  const status = put.outcome === 'created' ? 201 : 200;
  const headers: Record<string, string> = { ...versionHeaders(v), Location: `${req.baseUrl}/${v.resourceType}/${v.id}/_history/${v.versionId}` };
  const prefer = preferReturn(req);
  if (prefer === 'minimal') return { status, headers };
  if (prefer === 'OperationOutcome' || (warnings.length > 0 && prefer !== 'representation')) {
    const done = toIssue({ severity: 'information', code: 'informational', message: `${put.outcome === 'created' ? 'Created' : 'Updated'} ${v.resourceType}/${v.id}/_history/${v.versionId}` });
    return { status, headers, resource: operationOutcome([...warnings.map((w) => toIssue(w)), done]) };
  }
  return { status, headers, resource: v.resource };
}

async function afterWrite(ctx: RestContext, v: ResourceVersion): Promise<void> {
  await ctx.index.record(v);
  if (v.deleted) ctx.registry.remove(v.resourceType, v.id);
  else ctx.registry.add(v.resource as TerminologyResource);
}

/** Runs a protected write, auditing success and failure (refusals are audited by the guard). */
async function audited(ctx: RestContext, req: FhirRequest, action: string, entity: string, run: (caller: Caller) => Promise<{ response: FhirResponse; entity?: string }>): Promise<FhirResponse> {
  const caller = await ctx.guard.authorize(req, action, entity);
  const base = { actor: caller.actor, action, ...(caller.clientAddress ? { clientAddress: caller.clientAddress } : {}) };
  try {
    const done = await run(caller);
    await ctx.guard.record({ ...base, entity: done.entity ?? entity, outcome: 'success' });
    return done.response;
  } catch (err) {
    const e = asTerminologyError(err);
    await ctx.guard.record({ ...base, entity, outcome: 'failure', detail: `${e.status} ${e.message}` });
    throw err;
  }
}

function conditionalMatches(type: string, header: string, current: ResourceVersion[]): ResourceVersion[] {
  const parsed = new URLSearchParams(header.replace(/^[^?]*\?/, ''));
  const query: Record<string, string[]> = {};
  for (const key of parsed.keys()) query[key] = parsed.getAll(key);
  const { criteria, unknown } = parseCriteria(type, query);
  if (unknown.length > 0) throw new InvalidRequestError(`If-None-Exist uses unknown search parameter(s): ${unknown.join(', ')}`, { expression: ['If-None-Exist'] });
  if (criteria.length === 0) throw new InvalidRequestError('If-None-Exist needs at least one search parameter', { expression: ['If-None-Exist'] });
  return current.filter((v) => matchesCriteria(v, criteria));
}

export async function createResource(ctx: RestContext, type: string, req: FhirRequest): Promise<FhirResponse> {
  return audited(ctx, req, 'create', type, async (caller) => {
    const body = assertBody(req, type);
    const ifNoneExist = req.headers['if-none-exist'];
    if (ifNoneExist !== undefined) {
      const found = conditionalMatches(type, ifNoneExist, await ctx.index.list(type));
      if (found.length > 1) throw new TerminologyError(412, { code: 'duplicate', message: `If-None-Exist matched ${found.length} ${type} resources` });
      if (found.length === 1) {
        const v = found[0]!;
        return { response: { status: 200, resource: v.resource, headers: versionHeaders(v) }, entity: `${type}/${v.id}/_history/${v.versionId} (exists)` };
      }
    }
    // FHIR create: the server assigns the id (R4 §3.1.0.4); use PUT to choose one.
    const resource = { ...body, id: randomUUID() } as unknown as TerminologyResource & { id: string };
    delete (resource as { meta?: unknown }).meta;
    const warnings = validate(ctx, resource);
    const put = await ctx.store.put(resource, { actor: caller.actor });
    await afterWrite(ctx, put.version);
    return { response: writeResponse(req, put, warnings), entity: `${type}/${put.version.id}/_history/${put.version.versionId}` };
  });
}

export async function updateResource(ctx: RestContext, type: string, id: string, req: FhirRequest): Promise<FhirResponse> {
  return audited(ctx, req, 'update', `${type}/${id}`, async (caller) => {
    if (!ID_RE.test(id)) throw new InvalidRequestError(`Invalid id '${id}'`);
    const body = assertBody(req, type);
    if (body.id !== id) {
      throw new InvalidRequestError(body.id === undefined ? 'The resource in the body has no id' : `The body's id '${String(body.id)}' does not match the URL id '${id}'`, { expression: [`${type}.id`] });
    }
    const ifMatch = parseIfMatch(req.headers['if-match']);
    const resource = { ...body } as unknown as TerminologyResource & { id: string };
    delete (resource as { meta?: unknown }).meta;
    const warnings = validate(ctx, resource);
    const put = await ctx.store.put(resource, { actor: caller.actor, ...(ifMatch !== undefined ? { ifMatch } : {}) });
    await afterWrite(ctx, put.version);
    return { response: writeResponse(req, put, warnings), entity: `${type}/${id}/_history/${put.version.versionId}` };
  });
}

export async function deleteResource(ctx: RestContext, type: string, id: string, req: FhirRequest): Promise<FhirResponse> {
  return audited(ctx, req, 'delete', `${type}/${id}`, async (caller) => {
    const ifMatch = parseIfMatch(req.headers['if-match']);
    const current = await ctx.store.read(type, id);
    if (!current) throw new NotFoundError(`${type}/${id} is not known`, { txIssueType: undefined });
    const message = (text: string): OperationOutcome => operationOutcome([toIssue({ severity: 'information', code: 'informational', message: text })]);
    if (current.deleted) return { response: { status: 200, resource: message(`${type}/${id} was already deleted`) } };
    const tombstone = await ctx.store.delete(type, id, { actor: caller.actor, ...(ifMatch !== undefined ? { ifMatch } : {}) });
    if (!tombstone) return { response: { status: 200, resource: message(`${type}/${id} was already deleted`) } };
    await afterWrite(ctx, tombstone);
    return {
      response: { status: 200, resource: message(`Deleted ${type}/${id}; its history is kept (last version ${tombstone.versionId - 1})`), headers: { ETag: `W/"${tombstone.versionId}"` } },
      entity: `${type}/${id}/_history/${tombstone.versionId}`,
    };
  });
}
