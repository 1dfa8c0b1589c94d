/**
 * CodeSystem/$lookup (FHIR R4): name, version, display, definition, designations and properties
 * (parent, child, inactive and every property the code system declares), filtered by `property`.
 */
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { NotFoundError } from '../../errors.js';
import type { CodeSystemProvider, Designation } from '../codesystems/provider.js';
import type { OperationContext } from '../context.js';
import { displayForLanguages } from '../languages.js';

const PREFERRED_FOR_LANGUAGE = { system: 'http://terminology.hl7.org/CodeSystem/hl7TermMaintInfra', code: 'preferredForLanguage', display: 'Preferred For Language' };

export interface LookupInput {
  provider: CodeSystemProvider;
  code: string;
  /** Requested properties; empty = the defaults (all). */
  properties: string[];
}

function valueOf(p: object): ParametersParameter {
  const out: Record<string, unknown> = { name: 'value' };
  for (const [k, v] of Object.entries(p)) if (k.startsWith('value')) out[k] = v;
  return out as unknown as ParametersParameter;
}

export function lookupCode(ctx: OperationContext, input: LookupInput): Parameters {
  const { provider, code } = input;
  const located = provider.locate(code);
  const concept = located.concept;
  if (!concept) {
    const where = provider.version ? `in the CodeSystem '${provider.system}' version '${provider.version}'` : `in the CodeSystem '${provider.system}'`;
    throw new NotFoundError(located.message ?? `Unknown code '${code}' ${where}`, { code: 'not-found', txIssueType: 'invalid-code', expression: ['code'] });
  }
  const wants = (name: string): boolean => input.properties.length === 0 || input.properties.includes(name) || input.properties.includes('*');
  const out: ParametersParameter[] = [];
  out.push({ name: 'name', valueString: provider.name ?? provider.system });
  if (provider.version) out.push({ name: 'version', valueString: provider.version });
  const display = displayForLanguages({ display: concept.display, displayLanguage: provider.language, designations: concept.designations, languages: ctx.languages });
  if (display ?? concept.display) out.push({ name: 'display', valueString: display?.value ?? concept.display! });
  out.push({ name: 'code', valueCode: concept.code });
  out.push({ name: 'system', valueUri: provider.system });
  out.push({ name: 'abstract', valueBoolean: provider.isAbstract(concept) });
  if (concept.definition && wants('definition')) out.push({ name: 'definition', valueString: concept.definition });
  if (wants('designation')) {
    // The display is a designation too, in the code system's language (tx.fhir.org lists it).
    const displayDesignation: Designation[] = concept.display !== undefined && provider.language ? [{ language: provider.language, use: PREFERRED_FOR_LANGUAGE, value: concept.display }] : [];
    for (const d of [...concept.designations, ...displayDesignation]) {
      const part: ParametersParameter[] = [];
      if (d.language) part.push({ name: 'language', valueCode: d.language });
      if (d.use) part.push({ name: 'use', valueCoding: d.use });
      // A designation a supplement added says which supplement it came from.
      if (d.source) part.push({ name: 'source', valueCanonical: d.source });
      part.push({ name: 'value', valueString: d.value });
      out.push({ name: 'designation', part });
    }
  }
  const property = (code: string, value: ParametersParameter, description?: string): void => {
    const part: ParametersParameter[] = [{ name: 'code', valueCode: code }, value];
    if (description) part.push({ name: 'description', valueString: description });
    out.push({ name: 'property', part });
  };
  const describe = (c: string): string | undefined => provider.locate(c).concept?.display;
  if (wants('parent')) for (const p of concept.parents) property('parent', { name: 'value', valueCode: p }, describe(p));
  if (wants('child')) for (const c of concept.children) property('child', { name: 'value', valueCode: c }, describe(c));
  if (wants('inactive')) property('inactive', { name: 'value', valueBoolean: provider.isInactive(concept) });
  for (const p of concept.properties) {
    if (p.code === 'parent' || p.code === 'child' || p.code === 'inactive') continue;
    if (!wants(p.code)) continue;
    property(p.code, valueOf(p));
  }
  for (const s of provider.supplements) out.push({ name: 'used-supplement', valueCanonical: s });
  return { resourceType: 'Parameters', parameter: out };
}
