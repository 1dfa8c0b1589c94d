/**
 * CodeSystem/$find-matches (FHIR R4, http://hl7.org/fhir/R4/codesystem-operation-find-matches.html)
 * on the exam-item system: finds items from segment properties (modality, deviceType,
 * bodyPartL1/L2/L3, scanMethod, postProcessing, xrayPosition, additionalCode).
 * exact=true: every given property must match. exact=false: items matching at least one property,
 * ranked by how many match (equivalence `equivalent` when all match, else `inexact`).
 */
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import type { ExamItem } from '../standard/types.js';
import { booleanParam, params, primitive, stringParam } from './params.js';

export interface FindMatchesContext {
  items: ExamItem[];
  /** Canonical URL of the exam-item CodeSystem. */
  system: string;
  version: string;
  /** Max matches returned for exact=false (default 20). */
  inexactLimit?: number;
}

type Getter = (i: ExamItem) => string;
const MODALITY_CODE: Record<string, string> = { CT: '2', MR: '3', DR: '4', MG: '4', RF: '4' };
const PROPERTIES: Record<string, Getter> = {
  modality: (i) => i.modality,
  modalityCode: (i) => MODALITY_CODE[i.modality] ?? i.code[0] ?? '',
  deviceType: (i) => i.deviceType,
  bodyPartL1: (i) => i.bodyPartL1,
  bodyPartL2: (i) => i.bodyPartL2,
  bodyPartL3: (i) => i.bodyPartL3,
  scanMethod: (i) => i.scan,
  postProcessing: (i) => (i.deviceType.startsWith('4') ? '' : i.postOrPosition),
  xrayPosition: (i) => (i.deviceType.startsWith('4') ? i.postOrPosition : ''),
  additionalCode: (i) => i.additional,
};

interface Criterion {
  code: string;
  value: string;
  get: Getter;
}

function readCriteria(input: Parameters): Criterion[] {
  const out: Criterion[] = [];
  for (const p of params(input, 'property')) {
    const parts: ParametersParameter[] = p.part ?? [];
    const code = primitive(parts.find((x) => x.name === 'code'));
    const value = primitive(parts.find((x) => x.name === 'value'));
    if (!code) throw new InvalidRequestError('Each property needs a code part', { expression: ['property.part'] });
    if (parts.some((x) => x.name === 'subproperty')) throw new InvalidRequestError('subproperty is not supported for the exam-item system', { code: 'not-supported', expression: ['property.subproperty'] });
    const get = PROPERTIES[code];
    if (!get) throw new InvalidRequestError(`Unknown property '${code}' for the exam-item system (known: ${Object.keys(PROPERTIES).join(', ')})`, { expression: ['property.code'] });
    if (value === undefined) throw new InvalidRequestError(`Property '${code}' needs a value`, { expression: ['property.value'] });
    out.push({ code, value, get });
  }
  return out;
}

export function findMatches(input: Parameters, ctx: FindMatchesContext): Parameters {
  const system = stringParam(input, 'system');
  if (system && system !== ctx.system) throw new NotFoundError(`$find-matches is offered for ${ctx.system} only, not ${system}`, { code: 'not-found', expression: ['system'] });
  const version = stringParam(input, 'version');
  if (version && version !== ctx.version) throw new NotFoundError(`Version ${version} of ${ctx.system} is not known here (have ${ctx.version})`, { code: 'not-found', expression: ['version'] });
  const exact = booleanParam(input, 'exact') ?? false;
  const criteria = readCriteria(input);
  if (criteria.length === 0) throw new InvalidRequestError('At least one property is required', { code: 'required', expression: ['property'] });

  const scored: Array<{ item: ExamItem; matched: Criterion[]; missed: Criterion[] }> = [];
  for (const item of ctx.items) {
    const matched = criteria.filter((c) => c.get(item) === c.value);
    if (exact ? matched.length !== criteria.length : matched.length === 0) continue;
    scored.push({ item, matched, missed: criteria.filter((c) => !matched.includes(c)) });
  }
  scored.sort((a, b) => b.matched.length - a.matched.length || a.item.code.localeCompare(b.item.code));
  const list = exact ? scored : scored.slice(0, ctx.inexactLimit ?? 20);
  return {
    resourceType: 'Parameters',
    parameter: list.map(({ item, missed }) => ({
      name: 'match',
      part: [
        { name: 'code', valueCoding: { system: ctx.system, version: ctx.version, code: item.code, display: item.display } },
        { name: 'equivalence', valueCode: missed.length === 0 ? 'equivalent' : 'inexact' },
        ...(missed.length ? [{ name: 'comment', valueString: `differs in ${missed.map((c) => `${c.code} (${c.get(item) || 'none'} ≠ ${c.value})`).join(', ')}` }] : []),
      ],
    })),
  };
}
