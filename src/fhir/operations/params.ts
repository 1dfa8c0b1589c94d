/**
 * A tolerant reader for operation Parameters: a primitive parameter may arrive as any primitive
 * value[x] (GET query args are valueString; the tx-ecosystem runner sends valueCanonical/valueUri
 * interchangeably), booleans and integers may arrive as strings.
 */
import type { CodeableConcept, Coding, FhirResource, Parameters, ParametersParameter } from 'fhir/r4';
type Resource = FhirResource;
import { InvalidRequestError } from '../../errors.js';

function primitiveOf(p: ParametersParameter): string | number | boolean | undefined {
  for (const [k, v] of Object.entries(p)) {
    if (!k.startsWith('value')) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  }
  return undefined;
}

export class ParamReader {
  private readonly list: ParametersParameter[];

  constructor(params: Parameters | undefined) {
    this.list = params?.parameter ?? [];
  }

  has(name: string): boolean {
    return this.list.some((p) => p.name === name);
  }

  all(name: string): ParametersParameter[] {
    return this.list.filter((p) => p.name === name);
  }

  string(name: string): string | undefined {
    const p = this.list.find((x) => x.name === name);
    if (!p) return undefined;
    const v = primitiveOf(p);
    return v === undefined ? undefined : String(v);
  }

  strings(name: string): string[] {
    return this.all(name)
      .map((p) => primitiveOf(p))
      .filter((v): v is string | number | boolean => v !== undefined)
      .map(String);
  }

  boolean(name: string): boolean | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new InvalidRequestError(`Parameter '${name}' must be true or false, not '${v}'`, { expression: [name] });
  }

  integer(name: string): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidRequestError(`Parameter '${name}' must be a non-negative integer, not '${v}'`, { expression: [name] });
    return n;
  }

  coding(name: string): Coding | undefined {
    return this.list.find((x) => x.name === name)?.valueCoding;
  }

  codeableConcept(name: string): CodeableConcept | undefined {
    return this.list.find((x) => x.name === name)?.valueCodeableConcept;
  }

  resource(name: string): Resource | undefined {
    return this.list.find((x) => x.name === name)?.resource;
  }

  resources(name: string): Resource[] {
    return this.all(name)
      .map((p) => p.resource)
      .filter((r): r is Resource => r !== undefined);
  }

  /** The first parameter present among several names (R4 vs R5 spellings). */
  firstString(...names: string[]): string | undefined {
    for (const n of names) {
      const v = this.string(n);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}
