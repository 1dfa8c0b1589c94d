/**
 * The framework-free request/response shapes of the FHIR layer. Handlers take a `FhirRequest` and
 * return a `FhirResponse`; only `app.ts` touches Express (Medplum's fhir-router pattern).
 */
import type { OperationOutcome, Resource } from 'fhir/r4';
import type { Response } from 'express';
import { asTerminologyError, TerminologyError } from '../../errors.js';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export interface FhirRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | string;
  /** Decoded path segments after `/fhir` (e.g. ['ValueSet', '$expand']). */
  segments: string[];
  /** Query args; repeated args keep every value in order. */
  query: Record<string, string[]>;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  clientAddress?: string;
  /** Public base URL of the FHIR endpoint, no trailing slash (for fullUrl, Location and links). */
  baseUrl: string;
}

export interface FhirResponse {
  status: number;
  resource?: Resource;
  headers?: Record<string, string>;
}

export function ok(resource: Resource, headers?: Record<string, string>): FhirResponse {
  return { status: 200, resource, ...(headers ? { headers } : {}) };
}

/** Writes a FHIR response; the body is always `application/fhir+json; charset=utf-8`. */
export function sendFhir(res: Response, response: FhirResponse, options: { head?: boolean } = {}): void {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (response.resource === undefined) {
    res.end();
    return;
  }
  const body = JSON.stringify(response.resource);
  res.setHeader('Content-Type', FHIR_JSON);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(options.head ? undefined : body);
}

/** Renders any thrown value as an OperationOutcome response (TerminologyError keeps its status). */
export function errorResponse(err: unknown): { status: number; outcome: OperationOutcome; error: TerminologyError } {
  const error = asTerminologyError(err);
  return { status: error.status, outcome: error.toOperationOutcome(), error };
}
