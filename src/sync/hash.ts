/**
 * Content hashing for sync verification: the release manifest and the client hash resources with
 * `resourceHash` here (canonical JSON of src/canonical-json.ts), whatever the store does internally.
 * The top-level `meta` is excluded because versionId/lastUpdated legitimately differ between servers.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

/** SHA-256 (hex) of the canonical JSON of a resource without its top-level `meta`. */
export function resourceHash(resource: object): string {
  const { meta: _meta, ...content } = resource as Record<string, unknown>;
  return sha256Hex(canonicalJson(content));
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A deterministic RFC 4122 version-5-style UUID from a name (Atom ids that never change). */
export function nameUuid(name: string): string {
  const h = createHash('sha1').update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
