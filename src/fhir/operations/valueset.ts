/** Thin handlers: ValueSet/$expand, ValueSet/$validate-code, ValueSet/$batch-validate-code. */
import type { Coding, Parameters, ParametersParameter, ValueSet, ValueSetExpansionParameter } from 'fhir/r4';
import { InvalidRequestError, NotFoundError, TerminologyError } from '../../errors.js';
import { expandValueSet } from '../../terminology/operations/expand.js';
import { validateCode, type CodingInput, type ValidateCodeInput } from '../../terminology/operations/validate-code.js';
import type { OperationHandler, OperationRequest } from './types.js';
import { acceptLanguage, requestContext, type EngineOptions, type RequestContext } from './request-context.js';

const SUPPLEMENT_EXT = 'http://hl7.org/fhir/StructureDefinition/valueset-supplement';

/** The value set named by instance id, `url`/`valueSet` canonical (+ valueSetVersion), or given inline. */
export function targetValueSet(rc: RequestContext, req: OperationRequest, urlParam = 'url'): ValueSet {
  const { params, ctx } = rc;
  if (req.id !== undefined) {
    const vs = ctx.resolver.byId('ValueSet', req.id) as ValueSet | undefined;
    if (!vs) throw new NotFoundError(`ValueSet/${req.id} not found`);
    return vs;
  }
  const inline = params.resource('valueSet');
  if (inline && inline.resourceType === 'ValueSet') return inline as ValueSet;
  const url = params.string(urlParam) ?? (urlParam === 'url' ? params.string('valueSet') : undefined);
  if (!url) throw new InvalidRequestError('No value set was identified: give url, valueSet or an instance id', { code: 'required', expression: [urlParam] });
  let version = params.string('valueSetVersion');
  if (version === undefined && !url.includes('|')) {
    const rule = params.strings('default-valueset-version').find((r) => r.split('|')[0] === url);
    if (rule) version = rule.split('|')[1];
  }
  const vs = ctx.resolver.findValueSet(url, version);
  if (!vs) {
    const label = version !== undefined ? `${url.split('|')[0]}|${version}` : url;
    throw new NotFoundError(`A definition for the value Set '${label}' could not be found`, { code: 'not-found', txIssueType: 'not-found' });
  }
  return vs;
}

/** Supplements the request or value set requires; an unknown one is a 404 (never silently ignored). */
function supplementsFor(rc: RequestContext, vs: ValueSet): string[] {
  const fromVs = (vs.extension ?? []).filter((e) => e.url === SUPPLEMENT_EXT).map((e) => e.valueCanonical ?? e.valueUri ?? '').filter((s) => s !== '');
  const all = [...rc.supplements, ...fromVs];
  for (const url of all) {
    const [u, v] = url.split('|');
    const found = (rc.ctx.resolver.versionsOf('CodeSystem', u!) as Array<{ content?: string; version?: string }>).some((c) => c.content === 'supplement' && (v === undefined || c.version === v));
    if (!found) {
      const viaValueSet = fromVs.includes(url);
      throw new NotFoundError(`Required supplement not found: ${url}`, viaValueSet ? { diagnostics: `ValueSet ${vs.url ?? ''} requires supplement ${url}` } : {});
    }
  }
  return all;
}

const EXPANSION_PARAMETER_EXT = 'http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter';

/** A default expansion parameter stated by the value set (compose valueset-expansion-parameter extension). */
function composeParameter(vs: ValueSet, name: string): string | undefined {
  for (const ext of vs.compose?.extension ?? []) {
    if (ext.url !== EXPANSION_PARAMETER_EXT) continue;
    const parts = ext.extension ?? [];
    if (parts.find((p) => p.url === 'name')?.valueCode !== name) continue;
    const value = parts.find((p) => p.url === 'value');
    return value?.valueCode ?? value?.valueString;
  }
  return undefined;
}

/** Request parameters echoed into expansion.parameter (tx-ecosystem: "all parameters must be echoed"). */
const ECHOED = ['activeOnly', 'count', 'offset', 'displayLanguage', 'excludeNested', 'filter', 'includeDefinition', 'includeDesignations', 'designation', 'default-valueset-version', 'force-system-version', 'check-system-version', 'system-version', 'useSupplement', 'excludeNotForUI', 'excludePostCoordinated'];

function echoParameters(req: OperationRequest): ValueSetExpansionParameter[] {
  const out: ValueSetExpansionParameter[] = [];
  for (const p of req.params.parameter ?? []) {
    if (!ECHOED.includes(p.name)) continue;
    const entry: Record<string, unknown> = { name: p.name };
    for (const [k, v] of Object.entries(p)) if (k.startsWith('value')) entry[k] = v;
    const raw = entry.valueString;
    if (req.method === 'GET' && typeof raw === 'string') {
      if (raw === 'true' || raw === 'false') entry.valueBoolean = raw === 'true';
      else if (/^\d+$/.test(raw) && (p.name === 'count' || p.name === 'offset')) entry.valueInteger = Number(raw);
      if ('valueBoolean' in entry || 'valueInteger' in entry) delete entry.valueString;
    }
    if (typeof entry.valueCanonical === 'string') {
      entry.valueUri = entry.valueCanonical;
      delete entry.valueCanonical;
    }
    out.push(entry as unknown as ValueSetExpansionParameter);
  }
  // The Accept-Language header acts as displayLanguage and is echoed as one (tx-ecosystem language suite).
  const header = acceptLanguage(req);
  if (header && !out.some((p) => p.name === 'displayLanguage')) out.push({ name: 'displayLanguage', valueCode: header });
  return out;
}

export function expandHandler(engine: EngineOptions): OperationHandler {
  return async (req) => {
    const rc = requestContext(engine, req);
    const vs = targetValueSet(rc, req);
    const { params } = rc;
    const designations = params.strings('designation');
    // system-version and check-system-version are echoed only where they applied: a system the value set includes without a version.
    const unpinned = new Set((vs.compose?.include ?? []).filter((i) => i.system && !i.version).map((i) => i.system!));
    const echo = echoParameters(req).filter((p) => (p.name !== 'system-version' && p.name !== 'check-system-version') || unpinned.has(String(p.valueUri ?? p.valueString ?? '').split('|')[0]!));
    const vsLanguage = composeParameter(vs, 'displayLanguage') ?? vs.language;
    if (rc.ctx.useDefaultLanguage(vsLanguage)) echo.push({ name: 'displayLanguage', valueCode: vsLanguage! });
    return expandValueSet(rc.ctx, {
      valueSet: vs,
      filter: params.string('filter'),
      count: params.integer('count'),
      offset: params.integer('offset'),
      activeOnly: params.boolean('activeOnly'),
      excludeNested: params.boolean('excludeNested'),
      includeDesignations: params.boolean('includeDesignations'),
      designations: designations.length > 0 ? designations : undefined,
      includeDefinition: params.boolean('includeDefinition'),
      properties: params.strings('property'),
      supplements: supplementsFor(rc, vs),
      echo,
      limit: rc.limit,
    });
  };
}

/** Reads the coding(s) to validate: code+system, coding, or codeableConcept. */
export function codingsFrom(rc: RequestContext, systemParam: string): Pick<ValidateCodeInput, 'kind' | 'codings' | 'codeableConcept'> {
  const { params } = rc;
  const cc = params.codeableConcept('codeableConcept');
  if (cc) {
    const codings: CodingInput[] = (cc.coding ?? []).map((c: Coding) => ({ system: c.system, version: c.version, code: c.code, display: c.display }));
    return { kind: 'codeableConcept', codings, codeableConcept: cc };
  }
  const coding = params.coding('coding');
  if (coding) return { kind: 'coding', codings: [{ system: coding.system, version: coding.version, code: coding.code, display: coding.display }] };
  const code = params.string('code');
  if (code === undefined) throw new InvalidRequestError('Unable to find code to validate (looked for coding | codeableConcept | code+system | code+inferSystem in parameters');
  return {
    kind: 'code',
    codings: [{ system: params.string(systemParam), version: params.firstString('systemVersion', 'version'), code, display: params.string('display') }],
  };
}

export function validateOptions(rc: RequestContext): Pick<ValidateCodeInput, 'abstractAllowed' | 'activeOnly' | 'inferSystem' | 'lenientDisplay' | 'membershipOnly'> {
  const { params } = rc;
  return {
    abstractAllowed: params.boolean('abstract'),
    activeOnly: params.boolean('activeOnly'),
    inferSystem: params.boolean('inferSystem'),
    lenientDisplay: params.boolean('lenient-display-validation'),
    membershipOnly: params.boolean('valueset-membership-only'),
  };
}

export function valueSetValidateHandler(engine: EngineOptions): OperationHandler {
  return async (req) => {
    const rc = requestContext(engine, req);
    const vs = targetValueSet(rc, req);
    return validateCode(rc.ctx, { target: 'valueset', valueSet: vs, ...codingsFrom(rc, 'system'), ...validateOptions(rc), supplements: supplementsFor(rc, vs) });
  };
}

/** $batch-validate-code: each `validation` parameter holds a nested Parameters for one $validate-code. */
export function batchValidateHandler(engine: EngineOptions): OperationHandler {
  const single = valueSetValidateHandler(engine);
  return async (req) => {
    const shared = (req.params.parameter ?? []).filter((p) => p.name !== 'validation');
    const out: ParametersParameter[] = [];
    for (const v of (req.params.parameter ?? []).filter((p) => p.name === 'validation')) {
      const inner = (v.resource as Parameters | undefined)?.parameter ?? [];
      const params: Parameters = { resourceType: 'Parameters', parameter: [...inner, ...shared.filter((s) => !inner.some((i) => i.name === s.name) || s.name === 'tx-resource')] };
      try {
        const result = await single({ ...req, params });
        out.push({ name: 'validation', resource: ('resourceType' in result ? result : result.resource) as Parameters });
      } catch (err) {
        if (!(err instanceof TerminologyError)) throw err;
        out.push({ name: 'validation', resource: err.toOperationOutcome() });
      }
    }
    return { resourceType: 'Parameters', parameter: out };
  };
}
