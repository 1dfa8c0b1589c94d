/**
 * Content hashing for sync verification. Deliberately self-contained (not the store's helper):
 * the client verifies what the store kept by hashing both sides with the same function here,
 * whatever the store implementation does internally.
 *
 * Canonical form: object keys sorted recursively, arrays in order, `undefined` dropped; the
 * top-level `meta` is excluded because versionId/lastUpdated legitimately differ between servers.
 */
import { createHash } from 'node:crypto';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

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
