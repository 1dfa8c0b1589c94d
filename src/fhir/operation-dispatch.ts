/**
 * Runs `$operations` from the OperationTable (CONTRACTS.md): `/fhir/$op`, `/fhir/{type}/$op`
 * and `/fhir/{type}/{id}/$op`, GET and POST. GET query args become Parameters (valueString);
 * a POST body must be a Parameters resource, and query args on a POST are appended after it.
 */
import type { Parameters } from 'fhir/r4';
import { NotFoundError, NotSupportedError } from '../errors.js';
import type { OperationResult, OperationTable } from './operation-types.js';
import { asParameters } from './http/parameters.js';
import { queryToParameters } from './http/query.js';
import type { FhirRequest, FhirResponse } from './http/response.js';

export interface OperationTarget {
  resourceType?: string;
  id?: string;
  /** The operation name without `$`. */
  name: string;
}

export function operationKey(target: OperationTarget): string {
  return target.resourceType ? `${target.resourceType}/$${target.name}` : `$${target.name}`;
}

function requestParameters(req: FhirRequest): Parameters {
  const fromQuery = queryToParameters(req.query);
  if (req.method !== 'POST' || req.body === undefined) return fromQuery;
  const fromBody = asParameters(req.body);
  if (!fromQuery.parameter) return fromBody;
  return { ...fromBody, parameter: [...(fromBody.parameter ?? []), ...fromQuery.parameter] };
}

function isWrapped(result: OperationResult): result is { status: number; resource: NonNullable<FhirResponse['resource']> } {
  return !('resourceType' in result) && 'status' in result;
}

export async function runOperation(
  table: OperationTable,
  target: OperationTarget,
  req: FhirRequest,
  knownTypes: ReadonlySet<string>,
): Promise<FhirResponse> {
  const handler = table[operationKey(target)];
  if (!handler) {
    if (target.resourceType && !knownTypes.has(target.resourceType)) {
      throw new NotFoundError(`Resource type '${target.resourceType}' is not supported by this server`, { code: 'not-supported', txIssueType: undefined });
    }
    const where = target.resourceType ? ` on ${target.resourceType}` : ' at system level';
    throw new NotSupportedError(`Operation $${target.name} is not supported${where}`, {}, 400);
  }
  if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'HEAD') {
    throw new NotSupportedError(`Operations accept GET and POST, not ${req.method}`, {}, 405);
  }
  const result = await handler({
    params: requestParameters(req),
    ...(target.resourceType ? { resourceType: target.resourceType } : {}),
    ...(target.id !== undefined ? { id: target.id } : {}),
    method: req.method === 'POST' ? 'POST' : 'GET',
    headers: req.headers,
  });
  return isWrapped(result) ? { status: result.status, resource: result.resource } : { status: 200, resource: result };
}
