/** Version bookkeeping shared by both implementations. */
import type { Meta, Resource } from 'fhir/r4';
import { InvalidRequestError } from '../errors.js';

/** FHIR R4 `id` datatype: [A-Za-z0-9\-\.]{1,64} (http://hl7.org/fhir/R4/datatypes.html#id). */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function requireIdentity(resource: { resourceType?: unknown; id?: unknown }): void {
  if (typeof resource.resourceType !== 'string' || !/^[A-Z][A-Za-z]+$/.test(resource.resourceType)) {
    throw new InvalidRequestError('resource has no valid resourceType');
  }
  if (typeof resource.id !== 'string' || !FHIR_ID.test(resource.id)) {
    throw new InvalidRequestError(`${resource.resourceType}: id ${JSON.stringify(resource.id)} is not a valid FHIR id`);
  }
}

/** A copy of `resource` with meta.versionId/lastUpdated set for the new version. */
export function newVersionBody(resource: Resource, versionId: number, now = new Date()): Resource & { meta: Meta & { versionId: string; lastUpdated: string } } {
  const meta = { ...(resource.meta ?? {}), versionId: String(versionId), lastUpdated: now.toISOString() };
  return { ...resource, meta };
}
