/**
 * What an expansion says about a concept beyond code and display, derived from extensions on the
 * code system concept (supplements included) and on the value set's `compose.include.concept`,
 * the way tx.fhir.org does it (HL7 tx-ecosystem `extensions`, `parameters` and `deprecated` suites):
 *
 * - concept properties (FHIR concept-properties code system): `status` (the concept's status other
 *   than active, `deprecated` for a deprecated concept, or its standards-status extension), `label`
 *   (codesystem-label / valueset-label), `order` (codesystem-conceptOrder / valueset-conceptOrder,
 *   as a decimal) and `weight` (itemWeight, URI `#itemWeight`); the value set's statement wins;
 * - extensions copied to `contains.extension`: rendering hints and SNOMED description ids from the
 *   code system; deprecation, definition and rendering extensions from the value set.
 */
import type { Extension } from 'fhir/r4';

const SD = 'http://hl7.org/fhir/StructureDefinition/';
const CP = 'http://hl7.org/fhir/concept-properties#';
const STANDARDS_STATUS = `${SD}structuredefinition-standards-status`;

/** Code system concept extensions an expansion carries over as they are. */
const COPIED_FROM_CODE_SYSTEM = new Set([`${SD}coding-sctdescid`, `${SD}rendering-style`, `${SD}rendering-xhtml`, `${SD}codesystem-alternate`]);
/** Value set concept extensions an expansion carries over as they are. */
const COPIED_FROM_VALUE_SET = new Set([
  `${SD}valueset-supplement`,
  `${SD}valueset-deprecated`,
  STANDARDS_STATUS,
  `${SD}valueset-concept-definition`,
  `${SD}coding-sctdescid`,
  `${SD}rendering-style`,
  `${SD}rendering-xhtml`,
]);

export interface DerivedProperty {
  code: string;
  uri: string;
  /** `[valueKey, value]`, e.g. `['valueDecimal', 6]`. */
  value: [string, unknown];
}

export interface ConceptExtras {
  properties: DerivedProperty[];
  extensions: Extension[];
}

type AnyExtension = Extension & Record<string, unknown>;

const NONE: ConceptExtras = Object.freeze({ properties: [], extensions: [] }) as unknown as ConceptExtras;

function valueOf(ext: AnyExtension): unknown {
  for (const [k, v] of Object.entries(ext)) if (k.startsWith('value')) return v;
  return undefined;
}

function find(list: readonly AnyExtension[], url: string): AnyExtension | undefined {
  return list.find((e) => e.url === url);
}

export function conceptExtras(args: {
  codeSystemExtensions?: ReadonlyArray<Record<string, unknown>>;
  valueSetExtensions?: readonly Extension[];
  /** The concept's status in its code system (undefined when it states none). */
  status?: string;
  deprecated: boolean;
}): ConceptExtras {
  const cs = (args.codeSystemExtensions ?? []) as readonly AnyExtension[];
  const vs = (args.valueSetExtensions ?? []) as readonly AnyExtension[];
  // The common case (a plain active concept): nothing to derive, nothing allocated.
  if (cs.length === 0 && vs.length === 0 && !args.deprecated && (args.status === undefined || args.status.toLowerCase() === 'active')) return NONE;
  const props = new Map<string, DerivedProperty>();
  const define = (code: string, uri: string, key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    props.set(code, { code, uri, value: [key, value] });
  };
  if (args.status !== undefined && args.status.toLowerCase() !== 'active') define('status', `${CP}status`, 'valueCode', args.status);
  else if (args.deprecated) define('status', `${CP}status`, 'valueCode', 'deprecated');
  const csStatus = find(cs, STANDARDS_STATUS);
  if (csStatus) define('status', `${CP}status`, 'valueCode', valueOf(csStatus));
  for (const [list, labelUrl, orderUrl] of [
    [cs, `${SD}codesystem-label`, `${SD}codesystem-conceptOrder`],
    [vs, `${SD}valueset-label`, `${SD}valueset-conceptOrder`],
  ] as const) {
    const label = find(list, labelUrl);
    if (label) define('label', `${CP}label`, 'valueString', valueOf(label));
    const order = find(list, orderUrl);
    if (order) define('order', `${CP}order`, 'valueDecimal', numberOf(valueOf(order)));
    const weight = find(list, `${SD}itemWeight`);
    if (weight) define('weight', `${CP}itemWeight`, 'valueDecimal', numberOf(valueOf(weight)));
  }
  const extensions: Extension[] = [...cs.filter((e) => COPIED_FROM_CODE_SYSTEM.has(e.url)), ...vs.filter((e) => COPIED_FROM_VALUE_SET.has(e.url))];
  return { properties: [...props.values()], extensions };
}

/** The standards-status extension's code among a concept's extensions (deprecated, withdrawn, ...). */
export function standardsStatusOf(extensions: ReadonlyArray<Record<string, unknown>> | undefined): string | undefined {
  const ext = (extensions ?? []).find((e) => e.url === STANDARDS_STATUS);
  return typeof ext?.valueCode === 'string' ? ext.valueCode : undefined;
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}
