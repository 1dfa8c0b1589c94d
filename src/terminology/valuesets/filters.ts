/**
 * The shared filter model: one `compose.include.filter` → a predicate over concepts of a provider.
 * Used by expansion (enumerate and test) and by membership checks ($validate-code).
 * FHIR R4 ValueSet.compose.include.filter; R5 operators (child-of, descendent-leaf) arrive on R4
 * as the cross-version extension on `_op` and are read here too.
 */
import type { ValueSetComposeIncludeFilter } from 'fhir/r4';
import { InvalidRequestError } from '../../errors.js';
import type { CodeSystemProvider, Concept, ConceptFilter } from '../codesystems/provider.js';
import { compileFilterRegex } from './regex.js';

const OP_EXTENSION = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.compose.include.filter.op';

/** The filter operator, whether given natively or as the R5 cross-version extension. */
export function filterOp(filter: ValueSetComposeIncludeFilter): string {
  if (filter.op) return filter.op;
  const ext = (filter as { _op?: { extension?: Array<{ url?: string; valueCode?: string }> } })._op?.extension?.find((e) => e.url === OP_EXTENSION);
  return ext?.valueCode ?? '';
}

function propertyStrings(provider: CodeSystemProvider, concept: Concept, property: string): string[] {
  switch (property) {
    case 'code':
      return [concept.code];
    case 'display':
      return concept.display !== undefined ? [concept.display] : [];
    case 'definition':
      return concept.definition !== undefined ? [concept.definition] : [];
    case 'parent':
      return concept.parents;
    case 'child':
      return concept.children;
    case 'inactive':
      return [String(provider.isInactive(concept))];
  }
  const out: string[] = [];
  for (const p of provider.propertyValues(concept, property)) {
    for (const [k, v] of Object.entries(p)) {
      if (!k.startsWith('value')) continue;
      if (typeof v === 'object' && v !== null) out.push(String((v as { code?: string }).code ?? ''));
      else out.push(String(v));
    }
  }
  if (out.length === 0 && property === 'status') {
    const s = provider.statusOf(concept);
    if (s) out.push(s);
  }
  return out;
}

function locateOrFail(provider: CodeSystemProvider, code: string): Concept | undefined {
  return provider.locate(code).concept;
}

function hierarchyFilter(provider: CodeSystemProvider, op: string, value: string): ConceptFilter {
  const codes = value.split(',').map((v) => v.trim());
  const anchors = codes.map((c) => locateOrFail(provider, c)).filter((c): c is Concept => c !== undefined);
  switch (op) {
    case 'is-a':
      return { matches: (c) => anchors.some((a) => provider.subsumes(a, c)) };
    case 'descendent-of':
      return { matches: (c) => anchors.some((a) => a.code !== c.code && provider.subsumes(a, c)) };
    case 'is-not-a':
      return { matches: (c) => !anchors.some((a) => provider.subsumes(a, c)) };
    case 'generalizes':
      return { matches: (c) => anchors.some((a) => provider.subsumes(c, a)) };
    case 'child-of':
      return { matches: (c) => anchors.some((a) => c.parents.includes(a.code)) };
    case 'descendent-leaf':
      return { matches: (c) => c.children.length === 0 && anchors.some((a) => a.code !== c.code && provider.subsumes(a, c)) };
    case '=':
      return { matches: (c) => anchors.some((a) => a.code === c.code) };
    case 'in':
      return { matches: (c) => codes.includes(c.code) };
    case 'not-in':
      return { matches: (c) => !codes.includes(c.code) };
    case 'regex': {
      const re = compileFilterRegex(value);
      return { matches: (c) => re.test(c.code) };
    }
  }
  throw new InvalidRequestError(`The filter operator '${op}' is not supported for the property 'concept'`, { txIssueType: 'vs-invalid' });
}

function propertyFilter(provider: CodeSystemProvider, property: string, op: string, value: string): ConceptFilter {
  const values = (c: Concept): string[] => propertyStrings(provider, c, property);
  switch (op) {
    case '=':
      return { matches: (c) => values(c).includes(value) };
    case 'in': {
      const set = new Set(value.split(',').map((v) => v.trim()));
      return { matches: (c) => values(c).some((v) => set.has(v)) };
    }
    case 'not-in': {
      const set = new Set(value.split(',').map((v) => v.trim()));
      return { matches: (c) => !values(c).some((v) => set.has(v)) };
    }
    case 'exists': {
      const want = value !== 'false';
      return { matches: (c) => (values(c).length > 0) === want };
    }
    case 'regex': {
      const re = compileFilterRegex(value);
      return { matches: (c) => values(c).some((v) => re.test(v)) };
    }
    case 'is-a':
    case 'descendent-of':
    case 'is-not-a':
    case 'generalizes':
    case 'child-of':
    case 'descendent-leaf': {
      // Hierarchical operators on a code-valued property (e.g. bodyPart is-a X): compare the values.
      const inner = hierarchyFilter(provider, op, value);
      return {
        matches: (c) => {
          const vals = values(c);
          if (op === 'is-not-a') return vals.every((v) => { const t = provider.locate(v).concept; return !t || inner.matches(t); });
          return vals.some((v) => {
            const t = provider.locate(v).concept;
            return t !== undefined ? inner.matches(t) : v === value;
          });
        },
      };
    }
  }
  throw new InvalidRequestError(`The filter operator '${op}' is not supported for the property '${property}'`, { txIssueType: 'vs-invalid' });
}

/** Builds the predicate for one include filter. Throws a 400 for unsupported or invalid filters. */
export function buildFilter(provider: CodeSystemProvider, filter: ValueSetComposeIncludeFilter): ConceptFilter {
  const op = filterOp(filter);
  const property = filter.property ?? '';
  const value = filter.value ?? '';
  const custom = provider.buildFilter?.(property, op, value);
  if (custom) return custom;
  if (property === 'concept' || (property === 'code' && op !== '=' && op !== 'regex' && op !== 'in' && op !== 'not-in' && op !== 'exists')) {
    return hierarchyFilter(provider, op, value);
  }
  if (property === 'code' && op === '=') return { matches: (c) => c.code === value };
  if (property === 'code' && op === 'regex') {
    const re = compileFilterRegex(value);
    return { matches: (c) => re.test(c.code) };
  }
  return propertyFilter(provider, property, op, value);
}
