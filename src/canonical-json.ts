/**
 * Canonical JSON, the one form every content hash in the server is taken over (store content
 * hashes, the audit chain, sync release manifests): object keys sorted recursively (code-unit
 * order), `undefined` members dropped, arrays kept in order, no whitespace. Two servers that hold
 * the same resource therefore compute the same hash.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

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
