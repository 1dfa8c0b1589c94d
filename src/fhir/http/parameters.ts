/**
 * Structural checks on an incoming Parameters resource (FHIR R4 Parameters): every parameter
 * has a name and at most one of value[x] / resource / part, and value[x] is an R4 data type.
 * Anything else is a 400 naming the offending element, before the engine sees it.
 */
import type { Parameters } from 'fhir/r4';
import { InvalidRequestError } from '../../errors.js';

/** R4 Parameters.parameter.value[x] choices (FHIR R4 §2.24.0.2 open type list). */
const VALUE_TYPES = new Set([
  'Base64Binary', 'Boolean', 'Canonical', 'Code', 'Date', 'DateTime', 'Decimal', 'Id', 'Instant',
  'Integer', 'Markdown', 'Oid', 'PositiveInt', 'String', 'Time', 'UnsignedInt', 'Uri', 'Url', 'Uuid',
  'Address', 'Age', 'Annotation', 'Attachment', 'CodeableConcept', 'Coding', 'ContactPoint', 'Count',
  'Distance', 'Duration', 'HumanName', 'Identifier', 'Money', 'Period', 'Quantity', 'Range', 'Ratio',
  'Reference', 'SampledData', 'Signature', 'Timing', 'ContactDetail', 'Contributor', 'DataRequirement',
  'Expression', 'ParameterDefinition', 'RelatedArtifact', 'TriggerDefinition', 'UsageContext', 'Dosage', 'Meta',
]);

const OTHER_KEYS = new Set(['name', 'resource', 'part', 'extension', 'modifierExtension', 'id']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkParameterList(list: unknown, path: string): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) throw new InvalidRequestError(`${path} must be an array`, { code: 'structure', expression: [path] });
  list.forEach((entry, index) => checkParameter(entry, `${path}[${index}]`));
}

function checkParameter(entry: unknown, path: string): void {
  if (!isObject(entry)) throw new InvalidRequestError(`${path} must be an object`, { code: 'structure', expression: [path] });
  if (typeof entry.name !== 'string' || entry.name === '') {
    throw new InvalidRequestError(`${path} has no name`, { code: 'required', expression: [`${path}.name`] });
  }
  let contents = 0;
  for (const key of Object.keys(entry)) {
    if (OTHER_KEYS.has(key)) continue;
    if (key.startsWith('_value')) continue; // primitive extensions (e.g. _valueCode from R5→R4 conversion)
    if (key.startsWith('value') && VALUE_TYPES.has(key.slice(5))) {
      contents++;
      continue;
    }
    throw new InvalidRequestError(`Unknown element '${key}' in parameter '${entry.name}'`, {
      code: 'structure',
      expression: [`${path}.${key}`],
    });
  }
  if (entry.resource !== undefined) {
    contents++;
    if (!isObject(entry.resource) || typeof entry.resource.resourceType !== 'string') {
      throw new InvalidRequestError(`${path}.resource of '${entry.name}' must be a FHIR resource`, { code: 'structure', expression: [`${path}.resource`] });
    }
  }
  if (contents > 1) {
    throw new InvalidRequestError(`Parameter '${entry.name}' has more than one value`, { code: 'structure', expression: [path] });
  }
  checkParameterList(entry.part, `${path}.part`);
}

/** Returns the body as Parameters, or throws 400 when it is not a well-formed Parameters resource. */
export function asParameters(body: unknown): Parameters {
  if (!isObject(body) || body.resourceType !== 'Parameters') {
    const found = isObject(body) && typeof body.resourceType === 'string' ? body.resourceType : 'no resourceType';
    throw new InvalidRequestError(`Expected a Parameters resource as the operation body, found ${found}`, { code: 'structure' });
  }
  checkParameterList(body.parameter, 'Parameters.parameter');
  return body as unknown as Parameters;
}
