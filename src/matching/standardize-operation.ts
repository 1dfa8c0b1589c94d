/**
 * `$standardize` (conformance/OperationDefinition-standardize.json): free-text exam names in,
 * one `result` per name out, with the standard code(s), score, decision and recognised facets.
 * Pure: Parameters in, Parameters out; the HTTP layer mounts it (system level and ConceptMap type level).
 */
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { InvalidRequestError } from '../errors.js';
import { integerParam, params, primitive, stringParam } from './params.js';
import type { ExamNameMatcher, MatchResult } from './types.js';

export interface StandardizeContext {
  matcher: ExamNameMatcher;
  /** Canonical URL of the exam-item CodeSystem (system of the returned codings). */
  system: string;
  version?: string;
  /** Max names per call (default 1000). */
  maxNames?: number;
}

/** One line's answer in the CSV/operation shape: codes joined by `+` for several exams. */
export function summarise(r: MatchResult): { code: string; display: string; score: number; decision: string } {
  const tops = r.decision === 'none' ? [] : r.exams.filter((e) => e.decision !== 'none').map((e) => e.candidates[0]).filter((c) => c !== undefined);
  return {
    code: tops.map((c) => c.code).join('+'),
    display: tops.map((c) => c.display).join('+'),
    score: tops.length ? Math.min(...tops.map((c) => c.score)) : 0,
    decision: r.decision,
  };
}

function resultParameter(r: MatchResult, ctx: StandardizeContext): ParametersParameter {
  const s = summarise(r);
  const part: ParametersParameter[] = [
    { name: 'input', valueString: r.input },
    { name: 'decision', valueCode: r.decision },
  ];
  if (s.code) part.push({ name: 'code', valueString: s.code }, { name: 'display', valueString: s.display }, { name: 'score', valueDecimal: s.score });
  if (r.source) part.push({ name: 'source', valueCode: r.source });
  if (r.reason) part.push({ name: 'reason', valueString: r.reason });
  for (const e of r.exams) {
    part.push({
      name: 'exam',
      part: [
        { name: 'text', valueString: e.text },
        { name: 'decision', valueCode: e.decision },
        ...e.candidates.map((c) => ({
          name: 'candidate',
          part: [
            // An extension candidate (US/PET/SPECT) is a Coding of its own CodeSystem; ctx.version is exam-item's.
            { name: 'concept', valueCoding: { system: c.system, ...(ctx.version && c.system === ctx.system ? { version: ctx.version } : {}), code: c.code, display: c.display } },
            { name: 'score', valueDecimal: c.score },
          ],
        })),
        { name: 'facets', valueString: JSON.stringify(e.facets) },
      ],
    });
  }
  return { name: 'result', part };
}

export function standardizeOperation(input: Parameters, ctx: StandardizeContext): Parameters {
  const names = params(input, 'name').map((p) => primitive(p));
  if (names.length === 0) throw new InvalidRequestError("At least one 'name' is required", { code: 'required', expression: ['name'] });
  if (names.some((n) => n === undefined)) throw new InvalidRequestError("'name' must be a string", { expression: ['name'] });
  const max = ctx.maxNames ?? 1000;
  if (names.length > max) throw new InvalidRequestError(`At most ${max} names per call (got ${names.length}); use the bulk command for files`, { code: 'too-costly', expression: ['name'] });
  const localCodes = params(input, 'localCode').map((p) => primitive(p));
  const sender = stringParam(input, 'sender');
  const modality = stringParam(input, 'modality');
  const limit = integerParam(input, 'limit');
  return {
    resourceType: 'Parameters',
    parameter: (names as string[]).map((name, i) => {
      const localCode = localCodes[i];
      const r = ctx.matcher.match(name, {
        ...(sender ? { sender } : {}),
        ...(modality ? { modality } : {}),
        ...(localCode ? { localCode } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
      return resultParameter(r, ctx);
    }),
  };
}
