/**
 * $validate-code for CodeSystem and ValueSet (FHIR R4 CodeSystem/$validate-code,
 * ValueSet/$validate-code), answering the way the HL7 tx-ecosystem tests expect: `result`,
 * `code`/`system`/`version`/`display`, `message` and an `issues` OperationOutcome. A wrong code
 * is a `result=false` answer, never an error; unknown value sets are 404.
 */
import type { CodeableConcept, CodeSystem, Parameters, ParametersParameter, ValueSet } from 'fhir/r4';
import { NotFoundError, TerminologyError } from '../../errors.js';
import type { CodeSystemProvider, Concept } from '../codesystems/provider.js';
import type { OperationContext } from '../context.js';
import { IssueList } from '../issues.js';
import { displayForLanguages, invalidLanguageTag, parseLanguagePreferences, valueSetDisplayLanguage } from '../languages.js';
import { acceptsUnenumeratedCode, canonicalOf, evaluateCompose, flatten, type ExpansionEntry } from '../valuesets/compose.js';
import { resolveCodeSystem } from '../valuesets/resolve.js';
import { compareVersions, versionMatches } from '../versions.js';
import { standardsStatusOf } from './concept-extras.js';
import { checkDisplay } from './display-check.js';

export interface CodingInput {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
}

export interface ValidateCodeInput {
  /** 'codesystem' for CodeSystem/$validate-code, 'valueset' for ValueSet/$validate-code. */
  target: 'codesystem' | 'valueset';
  /** How the input was given: shapes the expressions (`code`, `Coding.code`, `CodeableConcept.coding[0].code`). */
  kind: 'code' | 'coding' | 'codeableConcept';
  codings: CodingInput[];
  codeableConcept?: CodeableConcept;
  valueSet?: ValueSet;
  /** CodeSystem mode: the code system resource when given by instance/url. */
  codeSystem?: CodeSystem;
  abstractAllowed?: boolean;
  activeOnly?: boolean;
  inferSystem?: boolean;
  lenientDisplay?: boolean;
  membershipOnly?: boolean;
  supplements?: string[];
}

interface CodingOutcome {
  valid: boolean;
  system?: string;
  version?: string;
  code?: string;
  display?: string;
  inactive?: boolean;
  status?: string;
  /** `url|version` of a code system version that could not be found (x-caused-by-unknown-system). */
  unknownSystem?: string;
  /** A code system not known at all (x-unknown-system). */
  unknownSystemPlain?: string;
  /** The code was found in the code system (its details are reported even when invalid). */
  found?: boolean;
  /** The code system's spelling when the code matched only ignoring case. */
  normalizedCode?: string;
  /** The code is a member of the value set (whatever else is wrong with it). */
  inVs?: boolean;
}

function paths(kind: ValidateCodeInput['kind'], index: number): { base: string; code: string; system: string; display: string; version: string } {
  if (kind === 'code') return { base: 'code', code: 'code', system: 'system', display: 'display', version: 'version' };
  const base = kind === 'coding' ? 'Coding' : `CodeableConcept.coding[${index}]`;
  return { base, code: `${base}.code`, system: `${base}.system`, display: `${base}.display`, version: `${base}.version` };
}

const STANDARDS_STATUS = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status';

function standardsStatus(res: { extension?: Array<{ url?: string; valueCode?: string }> } | undefined): string | undefined {
  return res?.extension?.find((e) => e.url === STANDARDS_STATUS)?.valueCode;
}

function codingLabel(c: CodingInput): string {
  const sys = c.system ?? '';
  const ver = c.version ? `|${c.version}` : '';
  const disp = c.display ? ` ('${c.display}')` : '';
  return `${sys}${ver}#${c.code ?? ''}${disp}`;
}

class Validator {
  readonly issues = new IssueList();
  private expansion?: ExpansionEntry[];
  /** Systems whose include could not be resolved (reported by the version checks instead). */
  private missingSystems: string[] = [];
  /** Value sets the value set imports (`url|version`), for their status notes. */
  private importedValueSets: string[] = [];

  constructor(
    private readonly ctx: OperationContext,
    private readonly input: ValidateCodeInput,
  ) {}

  private vsCanonical(): string {
    return this.input.valueSet?.url ? canonicalOf(this.input.valueSet) : '(unidentified)';
  }

  /** The value set's members (computed once; membership is exact so no limit applies). */
  private members(): ExpansionEntry[] {
    if (!this.expansion) {
      const vs = this.input.valueSet!;
      const composed = evaluateCompose(this.ctx, vs, { activeOnly: this.input.activeOnly, supplements: this.input.supplements, skipUnknownSystems: true });
      this.expansion = flatten(composed.entries);
      this.missingSystems = composed.missingSystems.map((m) => m.split('|')[0]!);
      this.importedValueSets = composed.usedValueSets;
    }
    return this.expansion;
  }

  /** Information notes on draft / experimental / deprecated / withdrawn resources used (tx.fhir.org MSG_*). */
  private statusNotes(provider: CodeSystemProvider): void {
    const cs = provider.resource;
    const note = (what: string, type: string, canonical: string): void => this.issues.information('business-rule', 'status-check', `Reference to ${what} ${type} ${canonical}`);
    const csCanonical = canonicalOf({ url: provider.system, version: provider.version });
    const csStandards = standardsStatus(cs);
    if (provider.status === 'draft') note('draft', 'CodeSystem', csCanonical);
    if (provider.experimental === true) note('experimental', 'CodeSystem', csCanonical);
    if (csStandards === 'deprecated' || csStandards === 'withdrawn') note(csStandards, 'CodeSystem', csCanonical);
    const vs = this.input.valueSet;
    const vsStandards = standardsStatus(vs);
    if (vs && (vsStandards === 'deprecated' || vsStandards === 'withdrawn')) note(vsStandards, 'ValueSet', canonicalOf(vs));
    for (const canonical of this.importedValueSets) {
      const [url, version] = canonical.split('|');
      const imported = standardsStatus(this.ctx.resolver.findValueSet(url!, version));
      if (imported === 'deprecated' || imported === 'withdrawn') note(imported, 'ValueSet', canonical);
    }
  }

  /** A value set include may mark a concept deprecated (valueset-deprecated / standards-status extensions). */
  private deprecatedInValueSet(system: string, code: string): boolean {
    for (const inc of this.input.valueSet?.compose?.include ?? []) {
      if (inc.system !== system) continue;
      for (const c of inc.concept ?? []) {
        if (c.code !== code) continue;
        for (const e of c.extension ?? []) {
          if (e.url.endsWith('/valueset-deprecated') && (e.valueCode === 'true' || e.valueBoolean === true)) return true;
          if (e.url.endsWith('/structuredefinition-standards-status') && e.valueCode === 'deprecated') return true;
        }
      }
    }
    return false;
  }

  /** Evaluates the value set up front so that broken value sets become a result=false answer. */
  prepare(): void {
    if (this.input.target === 'valueset') this.members();
  }

  /** Version the value set pins for `system` (include.version under the version rules). */
  private valueSetSystemVersion(system: string, code?: string, newestWithCode = false, display?: string): string | undefined {
    const includes = this.input.valueSet?.compose?.include?.filter((i) => i.system === system) ?? [];
    const versions = includes.map((i) => i.version).filter((v): v is string => v !== undefined);
    if (new Set(versions).size <= 1) return versions[0];
    // Several pinned versions: the one whose include enumerates the code.
    const enumerating = includes.find((i) => i.version !== undefined && i.concept?.some((c) => c.code === code))?.version;
    if (enumerating !== undefined || code === undefined || !newestWithCode) return enumerating;
    // A versionless coding: the newest pinned version that has the code, and whose display matches
    // the coding's when one is given (tx-ecosystem overload validate-good-code2-v1display).
    const found = this.members().filter((e) => e.system === system && e.code === code && e.version !== undefined);
    found.sort((a, b) => compareVersions(b.version!, a.version!));
    const displayed = display === undefined ? undefined : found.find((e) => this.displayMatches(e, display));
    return (displayed ?? found[0])?.version;
  }

  /** Whether `display` is valid for a member's concept (checked quietly, under the request's languages). */
  private displayMatches(e: ExpansionEntry, display: string): boolean {
    if (!e.provider || !e.concept) return false;
    return checkDisplay({ provider: e.provider, concept: e.concept, display, lenient: false, issues: new IssueList(), path: '', system: e.system, languages: this.ctx.languages, languageText: this.ctx.languageText });
  }

  /** The systems of the value set's members with this code (inferSystem: exactly one is needed). */
  private systemsWithCode(code: string): string[] {
    return [...new Set(this.members().filter((e) => e.code === code).map((e) => e.system))].sort();
  }

  /**
   * Picks the code system version to validate against (tx-ecosystem `version` suite): a forced
   * version wins; otherwise the coding's and the value set include's versions are both honoured —
   * a disagreement is an error, an unknown version is reported (x-caused-by-unknown-system) and
   * the other one is used when it exists. check-system-version is verified on the version used.
   */
  private chooseVersion(system: string, code: string, codingVersion: string | undefined, p: ReturnType<typeof paths>, display?: string): { resolved: ReturnType<typeof resolveCodeSystem>; version?: string; unknownVersion?: string } {
    const force = this.ctx.rulesFor(system, 'force');
    const check = this.ctx.rulesFor(system, 'check');
    const vsMode = this.input.target === 'valueset';
    const stated = vsMode ? this.valueSetSystemVersion(system, code, codingVersion === undefined, display) : undefined;
    // A forced version, or a checked version standing in for an unversioned include, becomes the
    // include's effective version ("version 'x' resulting from the version 'y' in the ValueSet include").
    const ruled = force ?? (vsMode && stated === undefined && codingVersion !== undefined ? (check ?? this.ctx.rulesFor(system, 'default')) : undefined);
    const vsVersion = ruled ? ruled.version : stated;
    const label = ruled ? `version '${ruled.version}' resulting from the version '${stated ?? ''}'` : `version '${vsVersion}'`;
    let result: { resolved: ReturnType<typeof resolveCodeSystem>; version?: string; unknownVersion?: string };
    if (force && !vsMode) {
      result = { resolved: resolveCodeSystem(this.ctx, system, force.version, this.input.supplements), version: force.version };
    } else if (codingVersion && vsVersion && codingVersion !== vsVersion) {
      const mismatch = !versionMatches(vsVersion, codingVersion);
      if (mismatch) this.issues.error('invalid', 'vs-invalid', `The code system '${system}' ${label} in the ValueSet include is different to the one in the value ('${codingVersion}')`, p.version);
      const fromCoding = resolveCodeSystem(this.ctx, system, codingVersion, this.input.supplements);
      const fromVs = resolveCodeSystem(this.ctx, system, vsVersion, this.input.supplements);
      const missing = !fromCoding.provider ? codingVersion : !fromVs.provider ? vsVersion : undefined;
      if (missing !== undefined && (fromCoding.provider || fromVs.provider)) {
        this.issues.error('not-found', 'not-found', `A definition for CodeSystem '${system}' version '${missing}' could not be found, so the code cannot be validated. Valid versions: ${fromCoding.knownVersions.join(' or ')}`, p.system);
      }
      const use = mismatch ? (fromVs.provider ? fromVs : fromCoding) : fromCoding.provider ? fromCoding : fromVs;
      result = { resolved: use, version: use === fromVs ? vsVersion : codingVersion, ...(missing !== undefined && use.provider ? { unknownVersion: missing } : {}) };
    } else {
      const version = codingVersion ?? vsVersion ?? this.ctx.rulesFor(system, 'default')?.version ?? check?.version;
      result = { resolved: resolveCodeSystem(this.ctx, system, version, this.input.supplements), version };
      if (vsMode && version !== undefined && !result.resolved.provider && result.resolved.knownVersions.length > 0) {
        // An unknown version in a value set check: report it, then validate against the latest version.
        const latest = resolveCodeSystem(this.ctx, system, check?.version ?? this.ctx.rulesFor(system, 'default')?.version, this.input.supplements);
        this.issues.error('not-found', 'not-found', `A definition for CodeSystem '${system}' version '${version}' could not be found, so the code cannot be validated. Valid versions: ${result.resolved.knownVersions.join(' or ')}`, p.system);
        if (codingVersion !== undefined && stated === undefined && latest.provider) {
          this.issues.add({ severity: 'warning', code: 'invalid', txIssueType: 'vs-invalid', message: `The code system '${system}' version '${latest.provider.version}' for the versionless include in the ValueSet include is different to the one in the value ('${codingVersion}')`, expression: [p.version], quiet: true });
        }
        if (latest.provider) result = { resolved: latest, version: latest.provider.version, unknownVersion: version };
      }
    }
    const used = result.resolved.provider?.version;
    if (check && used !== undefined && used !== check.version && !versionMatches(check.version, used)) {
      this.issues.error('exception', 'version-error', `The version '${used}' is not allowed for system '${system}': required to be '${check.version}' by a version-check parameter`, p.version);
    }
    return result;
  }

  validateCoding(coding: CodingInput, index: number, reportNotInVs: 'error' | 'information'): CodingOutcome {
    const p = paths(this.input.kind, index);
    const code = coding.code ?? '';
    let system = coding.system;
    const vsMode = this.input.target === 'valueset';
    if (!system && vsMode && this.input.kind !== 'code') {
      this.issues.warning('invalid', 'invalid-data', 'Coding has no system. A code with no system has no defined meaning, and it cannot be validated. A system should be provided', p.base);
      if (reportNotInVs === 'error') this.issues.error('code-invalid', 'not-in-vs', `The provided code '#${code}' was not found in the value set '${this.vsCanonical()}'`, p.code);
      else this.issues.information('code-invalid', 'this-code-not-in-vs', `The provided code '#${code}' was not found in the value set '${this.vsCanonical()}'`, p.code);
      return { valid: false, code };
    }
    if (!system && vsMode) {
      const candidates = this.systemsWithCode(code);
      system = candidates.length === 1 ? candidates[0] : undefined;
      if (!system) {
        const why = candidates.length > 1 ? `: value set expansion has multiple matches: [${candidates.join(', ')}]` : '';
        this.issues.error('not-found', 'cannot-infer', `The System URI could not be determined for the code '${code}' in the ValueSet '${this.vsCanonical()}'${why}`, p.code);
        if (reportNotInVs === 'error') this.issues.error('code-invalid', 'not-in-vs', `The provided code '#${code}' was not found in the value set '${this.vsCanonical()}'`, p.code);
        return { valid: false, code };
      }
    }
    if (!system) {
      this.issues.warning('invalid', 'invalid-data', 'Coding has no system. A code with no system has no defined meaning, and it cannot be validated. A system should be provided', p.base);
      return { valid: false, code };
    }
    const choice = this.chooseVersion(system, code, coding.version, p, coding.display);
    const resolved = this.input.codeSystem && !vsMode ? { provider: this.ctx.resolver.provider(this.input.codeSystem), knownVersions: [] as string[] } : choice.resolved;
    const version = choice.version;
    const provider = resolved.provider;
    if (provider && choice.unknownVersion) {
      const out = this.validateFound({ coding, system, code, p, provider, reportNotInVs, vsMode });
      return { ...out, valid: false, unknownSystem: `${system}|${choice.unknownVersion}` };
    }
    if (!provider && this.ctx.resolver.findValueSet(system)) {
      this.issues.error('invalid', 'invalid-data', `The Coding references a value set, not a code system ('${system}')`, p.system);
      if (vsMode) this.reportNotInVs(`The provided code '${system}#${code}' was not found in the value set '${this.vsCanonical()}'`, p.code, reportNotInVs);
      return { valid: false, system, code };
    }
    if (!provider) return this.unknownSystem({ system, version, code, p, known: resolved.knownVersions, reportNotInVs, missingVersion: resolved.missingVersion });
    if (provider.content === 'supplement') {
      this.issues.error('invalid', 'invalid-data', `CodeSystem ${canonicalOf({ url: system, version: provider.version })} is a supplement, so can't be used as a value in Coding.system`, p.system);
      return { valid: false, system, code };
    }
    return this.validateFound({ coding, system, code, p, provider, reportNotInVs, vsMode });
  }

  /** Validates a code against a resolved code system (and the value set in value set mode). */
  private validateFound(args: { coding: CodingInput; system: string; code: string; p: ReturnType<typeof paths>; provider: CodeSystemProvider; reportNotInVs: 'error' | 'information'; vsMode: boolean }): CodingOutcome {
    const { coding, system, code, p, provider, reportNotInVs, vsMode } = args;
    this.statusNotes(provider);
    const located = provider.locate(code);
    const concept = located.concept;
    const out: CodingOutcome = { valid: true, system, version: provider.version, code, found: concept !== undefined };
    if (!concept) {
      const where = provider.version ? `in the CodeSystem '${system}' version '${provider.version}'` : `in the CodeSystem '${system}'`;
      const text = located.message ?? `Unknown code '${code}' ${where}`;
      if (provider.content === 'fragment') {
        this.issues.warning('code-invalid', 'invalid-code', `Unknown Code '${code}' ${where.replace('in the CodeSystem', 'in the CodeSystem')} - note that the code system is labeled as a fragment, so the code may be valid in some other fragment`, p.code);
        // A whole-system include of a fragment may contain codes the fragment does not list.
        const wholeSystem = (this.input.valueSet?.compose?.include ?? []).some((i) => i.system === system && !i.concept?.length && !i.filter?.length && !i.valueSet?.length);
        out.valid = !vsMode || wholeSystem ? true : this.notInValueSet(system, code, coding, p.code, reportNotInVs);
        return out;
      }
      // valueset-membership-only: the question is membership, not whether the code exists.
      if (!(vsMode && this.input.membershipOnly)) this.issues.error('code-invalid', 'invalid-code', text, p.code);
      if (vsMode) this.notInValueSet(system, code, coding, p.code, reportNotInVs, true, provider.version);
      return { ...out, valid: false };
    }
    out.code = located.caseDifference ? code : concept.code;
    if (located.caseDifference) {
      out.normalizedCode = concept.code;
      this.issues.information('business-rule', 'code-rule', `The code '${code}' differs from the correct code '${concept.code}' by case. Although the code system '${canonicalOf({ url: system, version: provider.version })}' is case insensitive, implementers are strongly encouraged to use the correct case anyway`, p.code);
    }
    const display = displayForLanguages({ display: concept.display, displayLanguage: provider.language, designations: concept.designations, languages: this.ctx.languages });
    out.display = display?.value ?? concept.display;
    const stated = provider.statusOf(concept);
    if (provider.isInactive(concept)) {
      out.inactive = true;
      if (stated !== undefined) out.status = stated;
      const status = stated ?? 'inactive';
      this.issues.warning('business-rule', 'code-comment', `The concept '${concept.code}' has a status of ${status === 'retired' ? 'retired and inactive' : status} and its use should be reviewed`, p.base);
      const activeOnly = this.input.activeOnly || (vsMode && this.input.valueSet?.compose?.inactive === false);
      if (activeOnly) this.issues.error('business-rule', 'code-rule', `The concept '${concept.code}' is valid but is not active`, p.code);
    } else if (provider.isDeprecated(concept) || standardsStatusOf(concept.extensions) === 'deprecated') {
      out.status = 'deprecated';
      this.issues.warning('business-rule', 'code-comment', `The concept '${concept.code}' is deprecated and its use should be reviewed`, p.base);
    }
    if (this.input.abstractAllowed === false && provider.isAbstract(concept)) {
      this.issues.error('business-rule', 'code-rule', `Code '${system}#${concept.code}' is abstract, and not allowed in this context`, p.code);
      out.valid = false;
    }
    if (coding.display !== undefined && !this.input.membershipOnly) {
      const vsLanguage = this.input.valueSet ? valueSetDisplayLanguage(this.input.valueSet) : undefined;
      const useVsLanguage = this.ctx.languages.length === 0 && vsLanguage !== undefined;
      const ok = checkDisplay({
        provider,
        concept,
        display: coding.display,
        lenient: this.input.lenientDisplay === true,
        issues: this.issues,
        path: p.display,
        system,
        languages: useVsLanguage ? parseLanguagePreferences(vsLanguage) : this.ctx.languages,
        languageText: useVsLanguage ? vsLanguage : this.ctx.languageText,
      });
      if (!ok) out.valid = false;
    }
    if (vsMode) {
      // abstract=false: abstract codes are not members for this request (tx.fhir.org reports both).
      const abstractExcluded = this.input.abstractAllowed === false && provider.isAbstract(concept);
      if (abstractExcluded) this.reportNotInVs(`The provided code '${codingLabel({ ...coding, system })}' was not found in the value set '${this.vsCanonical()}'`, p.code, reportNotInVs);
      const inVs = !abstractExcluded && this.notInValueSet(system, concept.code, { ...coding, code: concept.code === code ? coding.code : code }, p.code, reportNotInVs, false, provider.version);
      out.inVs = inVs;
      if (inVs && this.deprecatedInValueSet(system, concept.code)) {
        this.issues.add({ severity: 'warning', code: 'business-rule', txIssueType: 'code-comment', message: `The presence of the concept '${concept.code}' in the system '${system}' in the value set ${this.vsCanonical()} is marked with a status of deprecated and its use should be reviewed`, expression: [p.code], quiet: true });
      }
      if (!inVs) out.valid = false;
    }
    if (this.issues.items.some((i) => i.severity === 'error' && i.txIssueType === 'vs-invalid')) out.valid = false;
    return out;
  }

  private reportNotInVs(text: string, path: string, level: 'error' | 'information'): void {
    if (level === 'error') this.issues.error('code-invalid', 'not-in-vs', text, path);
    else this.issues.information('code-invalid', 'this-code-not-in-vs', text, path);
  }

  /** Checks membership; records the not-in-vs issue and returns whether the code is in the value set. */
  private notInValueSet(system: string, code: string, coding: CodingInput, path: string, level: 'error' | 'information', alreadyInvalid = false, version?: string): boolean {
    const members = this.members();
    const sameCode = (e: ExpansionEntry): boolean => e.system === system && e.code === code;
    let hit = members.find(sameCode);
    // Several versions of the system in the value set: the code must be there in the version validated against.
    if (hit && version !== undefined && hit.version !== version) {
      hit = members.find((e) => sameCode(e) && e.version === version) ?? (members.some((e) => e.system === system && e.version !== hit!.version) ? undefined : hit);
    }
    if (hit && !(this.input.activeOnly && hit.inactive)) return true;
    if (!hit && !members.some((e) => e.system === system && e.code === code) && acceptsUnenumeratedCode(this.ctx, this.input.valueSet!, system, code, { activeOnly: this.input.activeOnly, supplements: this.input.supplements })) return true;
    if (this.missingSystems.includes(system) && this.issues.items.some((i) => i.txIssueType === 'not-found' || i.txIssueType === 'vs-invalid')) return false;
    const text = `The provided code '${codingLabel({ ...coding, system, code: coding.code })}' was not found in the value set '${this.vsCanonical()}'`;
    if (level === 'error') this.issues.error('code-invalid', 'not-in-vs', text, path);
    else this.issues.information('code-invalid', 'this-code-not-in-vs', text, path);
    void alreadyInvalid;
    return false;
  }

  private unknownSystem(args: { system: string; version?: string; code: string; p: ReturnType<typeof paths>; known: string[]; reportNotInVs: 'error' | 'information'; missingVersion?: string }): CodingOutcome {
    const { system, version, code, p, known } = args;
    // Supplements are not code systems a code can come from (registries keep them apart).
    const supplement = (this.ctx.resolver.versionsOf('CodeSystem', system) as CodeSystem[]).find((c) => c.content === 'supplement' && (version === undefined || c.version === version));
    if (supplement) {
      this.issues.error('invalid', 'invalid-data', `CodeSystem ${canonicalOf({ url: system, version: supplement.version })} is a supplement, so can't be used as a value in Coding.system`, p.system);
      return { valid: false, system, code };
    }
    if (args.missingVersion !== undefined || (version && known.length > 0)) {
      this.issues.error('not-found', 'not-found', `A definition for CodeSystem '${system}' version '${version}' could not be found, so the code cannot be validated. Valid versions: ${known.join(' or ')}`, p.system);
      if (this.input.target === 'valueset') {
        this.issues.warning('not-found', 'vs-invalid', `Unable to check whether the code is in the value set '${this.vsCanonical()}' because the code system ${system}|${version} was not found`, p.system);
      }
      return { valid: false, system, code, unknownSystem: `${system}|${version}` };
    }
    if (version && known.length === 0 && !this.missingSystems.includes(system)) {
      // A version of a system not known at all (tx.fhir.org UNKNOWN_CODESYSTEM_VERSION_NONE).
      this.issues.error('not-found', 'not-found', `A definition for CodeSystem '${system}' version '${version}' could not be found, so the code cannot be validated. No versions of this code system are known`, p.system);
      if (this.input.target === 'valueset') this.reportNotInVs(`The provided code '${system}|${version}#${code}' was not found in the value set '${this.vsCanonical()}'`, p.code, args.reportNotInVs);
      return { valid: false, system, code, unknownSystemPlain: system };
    }
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(system)) {
      this.issues.error('invalid', 'invalid-data', `${this.input.kind === 'code' ? 'system' : p.system.replace(/\[\d+\]/, '')} must be an absolute reference, not a local reference`.replace(/^CodeableConcept\.coding/, 'Coding'), p.system);
    }
    this.issues.error('not-found', 'not-found', `A definition for CodeSystem '${system}' could not be found, so the code cannot be validated`, p.system);
    // The value set itself depends on the unknown system: membership cannot be decided, so no not-in-vs.
    if (this.input.target === 'valueset' && this.missingSystems.includes(system)) return { valid: false, system, code, unknownSystem: system };
    if (this.input.target === 'valueset') this.reportNotInVs(`The provided code '${system}#${code}' was not found in the value set '${this.vsCanonical()}'`, p.code, args.reportNotInVs);
    return { valid: false, system, code, unknownSystemPlain: system };
  }
}

/** Runs $validate-code and renders the output Parameters. */
export function validateCode(ctx: OperationContext, input: ValidateCodeInput): Parameters {
  if (input.target === 'valueset' && !input.valueSet) throw new NotFoundError('No value set to validate against');
  const badLanguage = ctx.displayLanguageGiven ? invalidLanguageTag(ctx.languageText) : undefined;
  if (badLanguage !== undefined) throw new TerminologyError(400, { code: 'processing', txIssueType: 'invalid-display', message: `Invalid displayLanguage: '${badLanguage}'` });
  const v = new Validator(ctx, input);
  const out: ParametersParameter[] = [];
  let result: boolean;
  let first: CodingOutcome | undefined;
  const unknownSystems = new Set<string>();
  const plainUnknown = new Set<string>();
  try {
    v.prepare();
  } catch (err) {
    if (!(err instanceof TerminologyError) || err.status !== 404) throw err;
    const issues = new IssueList();
    for (const i of err.issues) issues.add({ severity: 'error', code: i.code, txIssueType: i.txIssueType ?? 'not-found', message: i.message });
    const message = issues.message();
    const echo: ParametersParameter[] = input.codeableConcept ? [{ name: 'codeableConcept', valueCodeableConcept: input.codeableConcept }] : [];
    return { resourceType: 'Parameters', parameter: [...echo, { name: 'issues', resource: issues.toOperationOutcome()! }, ...(message ? [{ name: 'message', valueString: message }] : []), { name: 'result', valueBoolean: false }] };
  }
  if (input.kind === 'codeableConcept') {
    const outcomes = input.codings.map((c, i) => v.validateCoding(c, i, 'information'));
    const good = outcomes.findIndex((o) => o.valid);
    // tx.fhir.org: one valid coding is not enough when another coding has an error (e.g. an unknown code).
    result = good >= 0 && !v.issues.hasErrors;
    first = good >= 0 ? outcomes[good] : outcomes.find((o) => o.found && o.inVs);
    for (const o of outcomes) if (o.unknownSystem) unknownSystems.add(o.unknownSystem);
    for (const o of outcomes) if (o.unknownSystemPlain) plainUnknown.add(o.unknownSystemPlain);
    // The CodeableConcept-level error accompanies per-coding "not in this value set" notes.
    if (!result && input.target === 'valueset' && !outcomes.some((o) => o.inVs) && v.issues.items.some((i) => i.txIssueType === 'this-code-not-in-vs')) {
      v.issues.error('code-invalid', 'not-in-vs', `No valid coding was found for the value set '${canonicalOf(input.valueSet!)}'`);
    }
    if (input.codeableConcept) {
      // Codings found in the code system but not in the value set are echoed with the version checked (tx.fhir.org).
      const coding = (input.codeableConcept.coding ?? []).map((c, i) => (outcomes[i]?.found && !outcomes[i]?.inVs && outcomes[i]?.version !== undefined && c.version === undefined ? { ...c, version: outcomes[i]!.version } : c));
      out.push({ name: 'codeableConcept', valueCodeableConcept: { ...input.codeableConcept, ...(input.codeableConcept.coding ? { coding } : {}) } });
    }
  } else {
    const coding = input.codings[0] ?? {};
    if (!coding.code) throw new TerminologyError(400, { code: 'invalid', message: 'No code was provided to validate' });
    first = v.validateCoding(coding, 0, 'error');
    result = first.valid && !v.issues.hasErrors;
    if (first.unknownSystem) unknownSystems.add(first.unknownSystem);
    if (first.unknownSystemPlain) plainUnknown.add(first.unknownSystemPlain);
  }
  if (first?.code !== undefined) out.push({ name: 'code', valueCode: first.code });
  if (first?.display !== undefined) out.push({ name: 'display', valueString: first.display });
  if (first?.inactive) out.push({ name: 'inactive', valueBoolean: true });
  if (first?.status !== undefined) out.push({ name: 'status', valueCode: first.status });
  if (first?.normalizedCode !== undefined) out.push({ name: 'normalized-code', valueCode: first.normalizedCode });
  const oo = v.issues.toOperationOutcome();
  if (oo) out.push({ name: 'issues', resource: oo });
  const message = v.issues.message();
  if (message) out.push({ name: 'message', valueString: message });
  out.push({ name: 'result', valueBoolean: result });
  if (first?.system !== undefined) out.push({ name: 'system', valueUri: first.system });
  if (first?.version !== undefined) out.push({ name: 'version', valueString: first.version });
  for (const s of unknownSystems) out.push({ name: 'x-caused-by-unknown-system', valueCanonical: s });
  for (const s of plainUnknown) out.push({ name: 'x-unknown-system', valueCanonical: s });
  return { resourceType: 'Parameters', parameter: out };
}

export type { CodeSystemProvider, Concept };
