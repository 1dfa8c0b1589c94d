/**
 * Content hashing shared by every store implementation, over the canonical JSON of
 * src/canonical-json.ts. `contentHash` drops the top-level `meta` so that re-loading the same file
 * gives the same hash whatever versionId/lastUpdated it carries (idempotent loads, `putIfChanged`).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import { InvalidRequestError } from '../errors.js';

/** SHA-256 (hex) of the canonical JSON of a resource without its `meta`. */
export function contentHash(resource: object): string {
  const { meta: _meta, ...content } = resource as Record<string, unknown>;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** ISO 8601 instant with milliseconds in UTC; unparseable input is a 400 (e.g. a bad `_since`). */
export function toInstant(value: string | Date): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new InvalidRequestError(`not a valid date/time: ${JSON.stringify(String(value))}`);
  return date.toISOString();
}
