/**
 * Version matching and ordering for canonical resources (FHIR R5 versionAlgorithm semantics, used
 * by the HL7 tx-ecosystem `version` suite): exact, wildcard (`1.0.x`, `1.x`), partial (`1.0`
 * matches the latest `1.0.*`), and "latest" by semver, date or natural ordering.
 */
const VERSION_ALGORITHM_EXT = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-CanonicalResource.versionAlgorithm';

export type VersionAlgorithm = 'semver' | 'date' | 'integer' | 'alpha' | 'natural';

interface Versioned {
  version?: string;
  extension?: Array<{ url?: string; valueString?: string; valueCoding?: { code?: string } }>;
  versionAlgorithmString?: string;
  versionAlgorithmCoding?: { code?: string };
}

export function versionAlgorithmOf(res: Versioned): VersionAlgorithm | undefined {
  const ext = res.extension?.find((e) => e.url === VERSION_ALGORITHM_EXT);
  const code = ext?.valueCoding?.code ?? ext?.valueString ?? res.versionAlgorithmCoding?.code ?? res.versionAlgorithmString;
  if (code === 'semver' || code === 'date' || code === 'integer' || code === 'alpha' || code === 'natural') return code;
  return undefined;
}

function naturalParts(v: string): Array<number | string> {
  return v.split(/[.\-+]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** Compares two versions (negative when a < b). */
export function compareVersions(a: string, b: string, algorithm: VersionAlgorithm = 'natural'): number {
  if (algorithm === 'alpha' || algorithm === 'date') return a < b ? -1 : a > b ? 1 : 0;
  if (algorithm === 'integer') return Number(a) - Number(b);
  const pa = naturalParts(a);
  const pb = naturalParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return x - y;
    } else if (String(x) !== String(y)) {
      return String(x) < String(y) ? -1 : 1;
    }
  }
  return 0;
}

export function isWildcardVersion(v: string): boolean {
  return /(^|\.)[x*]$/.test(v) || v.includes('.x.') || v.includes('.*.');
}

/** Whether `candidate` satisfies the requested version (exact, wildcard or partial). */
export function versionMatches(requested: string, candidate: string | undefined): boolean {
  if (candidate === undefined) return false;
  if (requested === candidate) return true;
  const req = requested.split('.');
  const cand = candidate.split('.');
  if (isWildcardVersion(requested)) {
    for (let i = 0; i < req.length; i++) {
      if (req[i] === 'x' || req[i] === '*') continue;
      if (req[i] !== cand[i]) return false;
    }
    return cand.length >= req.length - (req[req.length - 1] === 'x' || req[req.length - 1] === '*' ? 1 : 0);
  }
  // Partial: `1.0` matches `1.0.2` (major.minor registration, FHIRsmith library.js); a bare major does not.
  if (req.length >= 2 && req.length < cand.length && /^\d+(\.\d+)*$/.test(requested)) {
    return req.every((p, i) => p === cand[i]);
  }
  return false;
}

/** Picks the latest of several resource versions (resources without a version rank lowest). */
export function latest<T extends Versioned>(items: T[]): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (!best) {
      best = item;
      continue;
    }
    if (item.version === undefined) continue;
    if (best.version === undefined) {
      best = item;
      continue;
    }
    const algorithm = versionAlgorithmOf(item) ?? versionAlgorithmOf(best) ?? 'natural';
    if (compareVersions(item.version, best.version, algorithm) > 0) best = item;
  }
  return best;
}

/** Resolves `version` among candidates: exact match first, then wildcard/partial (latest of those). */
export function pickVersion<T extends Versioned>(items: T[], version: string | undefined): T | undefined {
  if (version === undefined || version === '') return latest(items);
  const exact = items.find((i) => i.version === version);
  if (exact) return exact;
  return latest(items.filter((i) => versionMatches(version, i.version)));
}
