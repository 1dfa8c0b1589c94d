/**
 * Semantic checks on incoming terminology resources, after the schema: things the JSON schema
 * cannot say (FHIR R4 invariants and terminology sense). Errors reject the write (422); warnings
 * are reported in the response OperationOutcome.
 *
 * - CodeSystem: duplicate codes; `parent`/`child` properties naming codes that do not exist;
 *   properties used on concepts but not declared; `count` that disagrees with a complete content.
 * - ValueSet: include/exclude without system or valueSet (vsd-1); code systems and value sets the
 *   server does not know (warning); value sets that include themselves through a cycle.
 * - ConceptMap: targets without a code whose equivalence needs one; narrower/inexact without comment (cmd-1).
 */
import type { CodeSystem, CodeSystemConcept, ConceptMap, ValueSet, ValueSetComposeInclude } from 'fhir/r4';
import type { IssueInit } from '../../errors.js';
import type { RegistrySink, TerminologyResource } from '../deps.js';

export interface SemanticResult {
  errors: IssueInit[];
  warnings: IssueInit[];
}

type Lookup = Pick<RegistrySink, 'findCodeSystem' | 'findValueSet'>;

function walkConcepts(concepts: CodeSystemConcept[] | undefined, path: string, visit: (c: CodeSystemConcept, path: string) => void): void {
  (concepts ?? []).forEach((c, i) => {
    const here = `${path}[${i}]`;
    visit(c, here);
    walkConcepts(c.concept, `${here}.concept`, visit);
  });
}

function checkCodeSystem(cs: CodeSystem, out: SemanticResult): void {
  const seen = new Map<string, string>();
  walkConcepts(cs.concept, 'CodeSystem.concept', (c, path) => {
    const first = seen.get(c.code);
    if (first !== undefined) {
      out.errors.push({ code: 'duplicate', message: `Duplicate code '${c.code}' (first defined at ${first})`, expression: [`${path}.code`] });
    } else seen.set(c.code, path);
  });
  const declared = new Set((cs.property ?? []).map((p) => p.code));
  const undeclared = new Set<string>();
  walkConcepts(cs.concept, 'CodeSystem.concept', (c, path) => {
    (c.property ?? []).forEach((p, i) => {
      const where = `${path}.property[${i}]`;
      if ((p.code === 'parent' || p.code === 'child') && p.valueCode !== undefined && !seen.has(p.valueCode)) {
        out.errors.push({ code: 'business-rule', message: `Concept '${c.code}' names ${p.code} '${p.valueCode}', which is not a code in this code system`, expression: [`${where}.valueCode`] });
      }
      if (!declared.has(p.code) && !undeclared.has(p.code) && p.code !== 'parent' && p.code !== 'child') {
        undeclared.add(p.code);
        out.warnings.push({ severity: 'warning', code: 'business-rule', message: `Property '${p.code}' is used on concepts but not declared in CodeSystem.property`, expression: [`${where}.code`] });
      }
    });
  });
  if (cs.content === 'complete' && cs.count !== undefined && cs.count !== seen.size) {
    out.warnings.push({ severity: 'warning', code: 'business-rule', message: `CodeSystem.count is ${cs.count} but ${seen.size} concepts are defined`, expression: ['CodeSystem.count'] });
  }
}

/** Follows include/exclude valueSet references; true when `startUrl` is reachable again. */
function reachesItself(startUrl: string, vs: ValueSet, lookup: Lookup): string[] | undefined {
  const stack: Array<{ url: string; path: string[] }> = [];
  const refs = (v: ValueSet) => [...(v.compose?.include ?? []), ...(v.compose?.exclude ?? [])].flatMap((i) => i.valueSet ?? []);
  for (const ref of refs(vs)) stack.push({ url: ref, path: [startUrl, ref] });
  const visited = new Set<string>();
  while (stack.length > 0) {
    const { url, path } = stack.pop()!;
    const bare = url.split('|')[0]!;
    if (bare === startUrl) return path;
    if (visited.has(bare)) continue;
    visited.add(bare);
    const next = lookup.findValueSet(bare);
    if (next) for (const ref of refs(next)) stack.push({ url: ref, path: [...path, ref] });
  }
  return undefined;
}

function checkInclude(inc: ValueSetComposeInclude, path: string, self: ValueSet, lookup: Lookup, out: SemanticResult): void {
  if (!inc.system && (!inc.valueSet || inc.valueSet.length === 0)) {
    out.errors.push({ code: 'invariant', message: 'A value set include/exclude SHALL have a value set or a system (vsd-1)', expression: [path] });
  }
  if (inc.system && !lookup.findCodeSystem(inc.system, inc.version)) {
    const label = inc.version ? `${inc.system}|${inc.version}` : inc.system;
    out.warnings.push({ severity: 'warning', code: 'not-found', txIssueType: 'not-found', message: `Code system '${label}' is not known to this server; the value set cannot be expanded until it is loaded`, expression: [`${path}.system`] });
  }
  (inc.valueSet ?? []).forEach((ref, i) => {
    const bare = ref.split('|')[0]!;
    if (bare !== self.url && !lookup.findValueSet(bare)) {
      out.warnings.push({ severity: 'warning', code: 'not-found', txIssueType: 'not-found', message: `Value set '${ref}' is not known to this server`, expression: [`${path}.valueSet[${i}]`] });
    }
  });
}

function checkValueSet(vs: ValueSet, lookup: Lookup, out: SemanticResult): void {
  vs.compose?.include.forEach((inc, i) => checkInclude(inc, `ValueSet.compose.include[${i}]`, vs, lookup, out));
  vs.compose?.exclude?.forEach((inc, i) => checkInclude(inc, `ValueSet.compose.exclude[${i}]`, vs, lookup, out));
  if (vs.url) {
    const cycle = reachesItself(vs.url, vs, lookup);
    if (cycle) out.errors.push({ code: 'business-rule', message: `Circular value set inclusion: ${cycle.join(' → ')}`, expression: ['ValueSet.compose'] });
  }
}

const NEEDS_CODE = new Set(['relatedto', 'equivalent', 'equal', 'wider', 'subsumes', 'narrower', 'specializes', 'inexact']);

function checkConceptMap(cm: ConceptMap, out: SemanticResult): void {
  (cm.group ?? []).forEach((g, gi) => {
    (g.element ?? []).forEach((el, ei) => {
      (el.target ?? []).forEach((t, ti) => {
        const path = `ConceptMap.group[${gi}].element[${ei}].target[${ti}]`;
        if (!t.code && NEEDS_CODE.has(t.equivalence)) {
          out.errors.push({ code: 'business-rule', message: `Target of '${el.code ?? '?'}' with equivalence '${t.equivalence}' has no code`, expression: [`${path}.code`] });
        }
        if ((t.equivalence === 'narrower' || t.equivalence === 'inexact') && !t.comment) {
          out.warnings.push({ severity: 'warning', code: 'invariant', message: 'If the map is narrower or inexact, there SHALL be some comments (cmd-1)', expression: [path] });
        }
      });
    });
  });
}

export function checkSemantics(resource: TerminologyResource, lookup: Lookup): SemanticResult {
  const out: SemanticResult = { errors: [], warnings: [] };
  if (resource.resourceType === 'CodeSystem') checkCodeSystem(resource, out);
  else if (resource.resourceType === 'ValueSet') checkValueSet(resource, lookup, out);
  else checkConceptMap(resource, out);
  return out;
}
