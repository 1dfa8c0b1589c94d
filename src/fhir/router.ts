/**
 * Path dispatch under `/fhir` (FHIR R4 RESTful API §3.1.0): maps path segments to the operation
 * runner, the resource interactions and metadata. Returns values; never touches Express.
 */
import { NotFoundError } from '../errors.js';
import type { AppDeps } from './deps.js';
import { runOperation } from './operation-dispatch.js';
import type { FhirRequest, FhirResponse } from './http/response.js';

export type Dispatcher = (req: FhirRequest) => Promise<FhirResponse>;

/** Resource types with REST interactions here. */
export const RESOURCE_TYPES: ReadonlySet<string> = new Set(['CodeSystem', 'ValueSet', 'ConceptMap', 'OperationDefinition', 'AuditEvent']);

function isOperation(segment: string | undefined): segment is string {
  return segment !== undefined && segment.startsWith('$') && segment.length > 1;
}

export function createDispatcher(deps: AppDeps): Dispatcher {
  const knownTypes = new Set(RESOURCE_TYPES);
  for (const key of Object.keys(deps.operations)) {
    const slash = key.indexOf('/');
    if (slash > 0) knownTypes.add(key.slice(0, slash));
  }

  return async (req) => {
    const [first, second, third] = req.segments;
    const n = req.segments.length;
    if (n === 1 && isOperation(first)) return runOperation(deps.operations, { name: first.slice(1) }, req, knownTypes);
    if (n === 2 && first && isOperation(second)) {
      return runOperation(deps.operations, { resourceType: first, name: second.slice(1) }, req, knownTypes);
    }
    if (n === 3 && first && second !== undefined && isOperation(third)) {
      return runOperation(deps.operations, { resourceType: first, id: second, name: third.slice(1) }, req, knownTypes);
    }
    throw new NotFoundError(`No FHIR interaction at /${req.segments.join('/')}`, { txIssueType: undefined });
  };
}
