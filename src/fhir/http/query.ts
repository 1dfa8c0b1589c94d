/**
 * GET query → Parameters normalisation for operations (FHIR R4 §3.1.0.1.2 "Operation request"):
 * every query arg becomes a parameter with `valueString`; repeated args become repeated
 * parameters in order. Handlers accept any primitive value[x], so typing is theirs.
 */
import type { Parameters, ParametersParameter } from 'fhir/r4';

/** Query args that configure the HTTP exchange rather than the operation. */
const TRANSPORT_ARGS = new Set(['_format', '_pretty']);

/** Express's simple query parser gives string | string[] (| nested objects for `a[b]` with qs). */
export function normaliseQuery(query: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (typeof query !== 'object' || query === null) return out;
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : [value];
    out[name] = values.filter((v): v is string => typeof v === 'string');
  }
  return out;
}

export function queryToParameters(query: Record<string, string[]>): Parameters {
  const parameter: ParametersParameter[] = [];
  for (const [name, values] of Object.entries(query)) {
    if (TRANSPORT_ARGS.has(name)) continue;
    for (const value of values) parameter.push({ name, valueString: value });
  }
  return parameter.length > 0 ? { resourceType: 'Parameters', parameter } : { resourceType: 'Parameters' };
}
