/** Minimal, tolerant reading of Parameters for the matcher's pure operation handlers. */
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { InvalidRequestError } from '../errors.js';

/** A primitive parameter may arrive as any primitive value[x] (GET query args are valueString). */
export function primitive(p: ParametersParameter | undefined): string | undefined {
  if (!p) return undefined;
  for (const [k, v] of Object.entries(p)) {
    if (k.startsWith('value') && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) return String(v);
  }
  if (p.valueCoding?.code) return p.valueCoding.code;
  return undefined;
}

export function params(p: Parameters | undefined, name: string): ParametersParameter[] {
  return (p?.parameter ?? []).filter((x) => x.name === name);
}

export function stringParam(p: Parameters | undefined, name: string): string | undefined {
  return primitive(params(p, name)[0]);
}

export function booleanParam(p: Parameters | undefined, name: string): boolean | undefined {
  const v = stringParam(p, name);
  if (v === undefined) return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new InvalidRequestError(`Parameter '${name}' must be true or false, not '${v}'`, { expression: [name] });
}

export function integerParam(p: Parameters | undefined, name: string): number | undefined {
  const v = stringParam(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidRequestError(`Parameter '${name}' must be a non-negative integer, not '${v}'`, { expression: [name] });
  return n;
}
