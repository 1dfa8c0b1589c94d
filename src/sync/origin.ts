/**
 * Where a resource comes from, as far as sync is concerned.
 *
 * - "standard": its canonical `url` is under the publisher's canonical base. Upstream wins.
 * - "local": marked with the local tag below (submitted institution maps, local supplements),
 *   or not under the upstream's canonical base. Sync never overwrites a local resource.
 *
 * The tag is a plain `meta.tag` Coding, so it survives any FHIR server and needs no profile.
 */
import type { Coding, Resource } from 'fhir/r4';

export const SYNC_TAG_SYSTEM = 'https://bzh.rimagcloud.com/fhir/CodeSystem/sync-origin';
export const LOCAL_TAG: Coding = { system: SYNC_TAG_SYSTEM, code: 'local', display: 'Local resource: never overwritten by sync' };

/** Resource types that releases, packages and sync carry. */
export const TERMINOLOGY_TYPES = ['CodeSystem', 'ValueSet', 'ConceptMap'] as const;
export type TerminologyType = (typeof TERMINOLOGY_TYPES)[number];

export function isTerminologyType(type: unknown): type is TerminologyType {
  return typeof type === 'string' && (TERMINOLOGY_TYPES as readonly string[]).includes(type);
}

export function hasLocalTag(resource: Resource): boolean {
  return (resource.meta?.tag ?? []).some((t) => t.system === SYNC_TAG_SYSTEM && t.code === LOCAL_TAG.code);
}

/** Adds the local tag (idempotent); returns a copy. */
export function withLocalTag<T extends Resource>(resource: T): T {
  if (hasLocalTag(resource)) return resource;
  const meta = { ...(resource.meta ?? {}) };
  meta.tag = [...(meta.tag ?? []), { ...LOCAL_TAG }];
  return { ...resource, meta };
}

export function canonicalUrl(resource: Resource): string | undefined {
  const url = (resource as { url?: unknown }).url;
  return typeof url === 'string' ? url : undefined;
}

export function resourceVersion(resource: Resource): string | undefined {
  const version = (resource as { version?: unknown }).version;
  return typeof version === 'string' ? version : undefined;
}

/** True when `url` is the base itself or lies below it (`{base}/…`). */
export function isUnderBase(url: string | undefined, base: string): boolean {
  if (!url) return false;
  const b = base.replace(/\/+$/, '');
  return url === b || url.startsWith(`${b}/`);
}

/** A standard resource: under the canonical base and not marked local. */
export function isStandardResource(resource: Resource, base: string): boolean {
  return !hasLocalTag(resource) && isUnderBase(canonicalUrl(resource), base);
}

/**
 * Orders business versions like `V3.8.2` < `V3.10.0` < `V4`: numeric runs compare as numbers,
 * everything else as text; a missing version sorts first.
 */
export function compareVersions(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) {
      return x.toLowerCase() < y.toLowerCase() ? -1 : 1;
    }
  }
  return 0;
}
