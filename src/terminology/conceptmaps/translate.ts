/**
 * ConceptMap/$translate (FHIR R4, accepting the R5 parameter names): forward and reverse
 * translation through the ConceptMaps that apply. Each match carries R4 `equivalence` and the R5
 * `relationship`, the `concept`, and `originMap` (forward) or `source` (reverse).
 */
import type { ConceptMap, Parameters, ParametersParameter } from 'fhir/r4';

export interface TranslateInput {
  maps: ConceptMap[];
  system?: string;
  code: string;
  /** Restrict to this target system. */
  targetSystem?: string;
  reverse: boolean;
}

const EQUIVALENCE_TO_RELATIONSHIP: Record<string, string> = {
  relatedto: 'related-to',
  equivalent: 'equivalent',
  equal: 'equivalent',
  wider: 'source-is-narrower-than-target',
  subsumes: 'source-is-narrower-than-target',
  narrower: 'source-is-broader-than-target',
  specializes: 'source-is-broader-than-target',
  inexact: 'related-to',
  unmatched: 'not-related-to',
  disjoint: 'not-related-to',
};

interface Match {
  equivalence: string;
  system?: string;
  code?: string;
  display?: string;
  map: ConceptMap;
  /** Reverse translation: the source-side concept that maps to the given code. */
  source?: { system?: string; code?: string; display?: string };
}

function forwardMatches(map: ConceptMap, input: TranslateInput): Match[] {
  const out: Match[] = [];
  for (const group of map.group ?? []) {
    if (input.system && group.source && group.source !== input.system) continue;
    if (input.targetSystem && group.target && group.target !== input.targetSystem) continue;
    for (const el of group.element ?? []) {
      if (el.code !== input.code) continue;
      for (const t of el.target ?? []) out.push({ equivalence: t.equivalence, system: group.target, code: t.code, display: t.display, map });
    }
  }
  return out;
}

function reverseMatches(map: ConceptMap, input: TranslateInput): Match[] {
  const out: Match[] = [];
  for (const group of map.group ?? []) {
    if (input.system && group.target && group.target !== input.system) continue;
    if (input.targetSystem && group.source && group.source !== input.targetSystem) continue;
    for (const el of group.element ?? []) {
      for (const t of el.target ?? []) {
        if (t.code !== input.code) continue;
        out.push({ equivalence: t.equivalence, system: group.target, code: t.code, display: t.display, map, source: { system: group.source, code: el.code, display: el.display } });
      }
    }
  }
  return out;
}

export function translate(input: TranslateInput): Parameters {
  const matches = input.maps.flatMap((m) => (input.reverse ? reverseMatches(m, input) : forwardMatches(m, input)));
  const good = matches.filter((m) => m.equivalence !== 'unmatched' && m.equivalence !== 'disjoint');
  const out: ParametersParameter[] = [{ name: 'result', valueBoolean: good.length > 0 }];
  if (good.length === 0) out.push({ name: 'message', valueString: `No translations found for ${input.system ?? ''}#${input.code}` });
  for (const m of matches) {
    const part: ParametersParameter[] = [{ name: 'equivalence', valueCode: m.equivalence }];
    part.push({ name: 'relationship', valueCode: EQUIVALENCE_TO_RELATIONSHIP[m.equivalence] ?? 'related-to' });
    if (m.code !== undefined) part.push({ name: 'concept', valueCoding: { ...(m.system ? { system: m.system } : {}), code: m.code, ...(m.display ? { display: m.display } : {}) } });
    const canonical = m.map.version ? `${m.map.url}|${m.map.version}` : (m.map.url ?? '');
    part.push({ name: 'originMap', valueCanonical: canonical });
    // Reverse (R5 targetCode): `source` names the source-side concept that maps to the given one.
    if (input.reverse && m.source) part.push({ name: 'source', valueCoding: { ...(m.source.system ? { system: m.source.system } : {}), code: m.source.code, ...(m.source.display ? { display: m.source.display } : {}) } });
    out.push({ name: 'match', part });
  }
  return { resourceType: 'Parameters', parameter: out };
}
