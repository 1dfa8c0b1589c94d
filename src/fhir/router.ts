/**
 * Path dispatch under `/fhir` (FHIR R4 RESTful API §3.1.0): maps path segments to operations,
 * resource interactions, history and metadata. Returns values; never touches Express.
 */
import { NotFoundError, NotSupportedError } from '../errors.js';
import { AdminGuard } from './auth.js';
import type { AppDeps } from './deps.js';
import type { FhirRequest, FhirResponse } from './http/response.js';
import { Metadata } from './metadata.js';
import { runOperation } from './operation-dispatch.js';
import type { OperationDefinition } from 'fhir/r4';
import { readAuditEvent, searchAuditEvents } from './rest/audit-events.js';
import { STORED_TYPES, WRITABLE_TYPES, type RestContext } from './rest/context.js';
import { readHistory } from './rest/history.js';
import { readResource, vreadResource } from './rest/read.js';
import { CurrentResourceIndex } from './rest/resource-index.js';
import { searchResources } from './rest/search.js';
import { createResource, deleteResource, updateResource } from './rest/write.js';
import { FhirSchemaValidator } from './validation/schema-validator.js';

export type Dispatcher = (req: FhirRequest) => Promise<FhirResponse>;

/** Resource types with REST interactions here. */
export const RESOURCE_TYPES: ReadonlySet<string> = new Set([...STORED_TYPES, 'AuditEvent']);

function isOperation(segment: string | undefined): segment is string {
  return segment !== undefined && segment.startsWith('$') && segment.length > 1;
}

function methodNotAllowed(req: FhirRequest, allowed: string): never {
  throw new NotSupportedError(`${req.method} is not allowed on /${req.segments.join('/')} (allowed: ${allowed})`, {}, 405);
}

const isRead = (req: FhirRequest): boolean => req.method === 'GET' || req.method === 'HEAD';

export interface FhirServerParts {
  dispatch: Dispatcher;
  rest: RestContext;
  metadata: Metadata;
}

export function createDispatcher(deps: AppDeps): FhirServerParts {
  const knownTypes = new Set(RESOURCE_TYPES);
  for (const key of Object.keys(deps.operations)) {
    const slash = key.indexOf('/');
    if (slash > 0) knownTypes.add(key.slice(0, slash));
  }
  const guard = new AdminGuard(deps.config.adminToken, deps.store.audit, deps.logger);
  const rest: RestContext = {
    store: deps.store.resources,
    index: new CurrentResourceIndex(deps.store.resources),
    registry: deps.registry,
    validator: FhirSchemaValidator.shared(),
    guard,
    logger: deps.logger,
  };
  const metadata = new Metadata({
    operations: deps.operations,
    registry: deps.registry,
    operationDefinitions: async () => (await rest.index.list('OperationDefinition')).map((v) => v.resource as OperationDefinition),
    writesEnabled: guard.enabled,
    canonicalBase: deps.config.http.publicBaseUrl ?? 'https://bzh.rimagcloud.com/fhir',
  });
  const operations = {
    // FHIR R4 CapabilityStatement/$versions; the tx runner bootstraps with it (RUNNING.md §3.1).
    '$versions': async () => ({
      resourceType: 'Parameters' as const,
      parameter: [{ name: 'version', valueString: '4.0' }, { name: 'default', valueString: '4.0' }],
    }),
    ...deps.operations,
  };

  const unknownType = (type: string): never => {
    throw new NotFoundError(`Resource type '${type}' is not supported by this server`, { code: 'not-supported', txIssueType: undefined });
  };

  const typeLevel = async (type: string, req: FhirRequest): Promise<FhirResponse> => {
    if (type === 'AuditEvent') {
      if (isRead(req)) return searchAuditEvents(deps.store.audit, guard, req);
      return methodNotAllowed(req, 'GET');
    }
    if (isRead(req)) {
      const strict = /handling=strict/.test(req.headers.prefer ?? '');
      return { status: 200, resource: searchResources({ resourceType: type, req, current: await rest.index.list(type), strict }) };
    }
    if (req.method === 'POST' && WRITABLE_TYPES.has(type)) return createResource(rest, type, req);
    return methodNotAllowed(req, WRITABLE_TYPES.has(type) ? 'GET, POST' : 'GET');
  };

  const instanceLevel = async (type: string, id: string, req: FhirRequest): Promise<FhirResponse> => {
    if (type === 'AuditEvent') {
      if (isRead(req)) return readAuditEvent(deps.store.audit, guard, id, req);
      return methodNotAllowed(req, 'GET');
    }
    if (isRead(req)) return readResource(rest, type, id, req);
    if (WRITABLE_TYPES.has(type)) {
      if (req.method === 'PUT') return updateResource(rest, type, id, req);
      if (req.method === 'DELETE') return deleteResource(rest, type, id, req);
      return methodNotAllowed(req, 'GET, PUT, DELETE');
    }
    return methodNotAllowed(req, 'GET');
  };

  const dispatch: Dispatcher = async (req) => {
    const s = req.segments;
    const [first, second, third, fourth] = s;
    // Operations: /$op, /{type}/$op, /{type}/{id}/$op
    if (s.length === 1 && isOperation(first)) return runOperation(operations, { name: first.slice(1) }, req, knownTypes);
    if (s.length === 2 && isOperation(second)) return runOperation(operations, { resourceType: first!, name: second.slice(1) }, req, knownTypes);
    if (s.length === 3 && isOperation(third)) return runOperation(operations, { resourceType: first!, id: second!, name: third.slice(1) }, req, knownTypes);

    if (s.length === 0) throw new NotSupportedError('Batch/transaction and system search are not supported; use /{type} or /_history', {}, isRead(req) ? 400 : 405);
    if (s.length === 1 && first === 'metadata') {
      if (!isRead(req)) return methodNotAllowed(req, 'GET');
      const mode = req.query.mode?.[0];
      if (mode === 'terminology') return { status: 200, resource: metadata.terminologyCapabilities(req.baseUrl) };
      if (mode !== undefined && mode !== 'full' && mode !== 'normative') throw new NotSupportedError(`metadata mode '${mode}' is not supported (full, normative, terminology)`, {}, 400);
      return { status: 200, resource: await metadata.capabilityStatement(req.baseUrl) };
    }
    if (s.length === 1 && first === '_history') {
      if (!isRead(req)) return methodNotAllowed(req, 'GET');
      return { status: 200, resource: await readHistory(rest.store, {}, req) };
    }

    const type = first!;
    if (!RESOURCE_TYPES.has(type)) return unknownType(type);
    if (s.length === 1) return typeLevel(type, req);
    if (s.length === 2 && second === '_history') {
      if (!isRead(req) || type === 'AuditEvent') return methodNotAllowed(req, 'GET');
      return { status: 200, resource: await readHistory(rest.store, { resourceType: type }, req) };
    }
    if (s.length === 2 && second === '_search') throw new NotSupportedError('POST _search is not supported; use GET with query parameters', {}, 405);
    if (s.length === 2) return instanceLevel(type, second!, req);
    if (type === 'AuditEvent') throw new NotFoundError(`No FHIR interaction at /${s.join('/')}`, { txIssueType: undefined });
    if (s.length === 3 && third === '_history') {
      if (!isRead(req)) return methodNotAllowed(req, 'GET');
      if (!(await rest.store.read(type, second!))) throw new NotFoundError(`${type}/${second!} is not known`, { txIssueType: undefined });
      return { status: 200, resource: await readHistory(rest.store, { resourceType: type, id: second! }, req) };
    }
    if (s.length === 4 && third === '_history') {
      if (!isRead(req)) return methodNotAllowed(req, 'GET');
      return vreadResource(rest, type, second!, fourth!, req);
    }
    throw new NotFoundError(`No FHIR interaction at /${s.join('/')}`, { txIssueType: undefined });
  };

  return { dispatch, rest, metadata };
}
