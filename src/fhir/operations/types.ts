/** The engine ↔ HTTP contract (CONTRACTS.md, fixed): the OperationTable mounted by src/fhir/app.ts. */
import type { Parameters, Resource } from 'fhir/r4';

export interface OperationRequest {
  /** Normalised input: POST body Parameters as sent; GET query args become parameters with valueString
   *  (handlers must accept any primitive value[x] for a primitive parameter). */
  params: Parameters;
  /** 'CodeSystem' | 'ValueSet' | 'ConceptMap' for type/instance level; undefined for system level. */
  resourceType?: string;
  /** Instance-level id ({type}/{id}/$op). */
  id?: string;
  method: 'GET' | 'POST';
  /** Lower-cased header names → values (accept-language, x-too-costly-threshold, x-request-id …). */
  headers: Record<string, string | undefined>;
}
export type OperationResult = Resource | { status: number; resource: Resource };
export type OperationHandler = (req: OperationRequest) => Promise<OperationResult>;
/** key: 'CodeSystem/$lookup', 'ValueSet/$expand', 'ConceptMap/$translate', '$versions', … */
export type OperationTable = Record<string, OperationHandler>;
