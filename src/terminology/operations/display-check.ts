/**
 * Display validation for $validate-code. The given display must equal the concept's display or a
 * designation; when languages are requested (displayLanguage, Accept-Language, or the value set's
 * language) it must be one in those languages if the concept has any. A wrong display is an error
 * (a warning with lenient-display-validation); whitespace-only differences are named as such.
 * Message wording follows tx.fhir.org (the tx-ecosystem tests compare it).
 */
import type { CodeSystemProvider, Concept } from '../codesystems/provider.js';
import type { IssueList } from '../issues.js';
import { languageMatches, type LanguagePreference } from '../languages.js';

export interface DisplayCheck {
  provider: CodeSystemProvider;
  concept: Concept;
  display: string;
  lenient: boolean;
  issues: IssueList;
  path: string;
  system: string;
  languages: LanguagePreference[];
  /** The language request as written, for messages ('--' when none). */
  languageText?: string;
}

interface Candidate {
  value: string;
  language?: string;
  /** A designation marked with a standards-status (deprecated, withdrawn): no longer a correct display. */
  status?: string;
}

const STANDARDS_STATUS = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status';

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

function candidatesOf(provider: CodeSystemProvider, concept: Concept): Candidate[] {
  const out: Candidate[] = [];
  if (concept.display !== undefined) out.push({ value: concept.display, language: provider.language });
  for (const d of concept.designations) {
    const status = d.extension?.find((x) => x.url === STANDARDS_STATUS)?.valueCode;
    out.push({ value: d.value, language: d.language, ...(status ? { status } : {}) });
  }
  return out;
}

/** A designation marked deprecated or withdrawn is reported as deprecated (tx.fhir.org wording). */
function designationStatus(status: string): string {
  return status === 'withdrawn' ? 'deprecated' : status;
}

function describe(list: Candidate[]): string {
  const one = (c: Candidate): string => (c.language ? `'${c.value}' (${c.language})` : `'${c.value}'`);
  if (list.length === 1) return one(list[0]!);
  return `one of ${list.length} choices: ${list.map(one).join(' or ')}`;
}

/** Returns false when the display makes the answer invalid (and records the issue). */
export function checkDisplay(check: DisplayCheck): boolean {
  const { provider, concept, display, issues, path, system } = check;
  const all = candidatesOf(provider, concept);
  const equals = (c: Candidate): boolean => c.value === display || (!provider.caseSensitive && c.value.toLowerCase() === display.toLowerCase());
  const langs = check.languageText ?? '--';
  const id = `${system}#${concept.code}`;
  const severity = check.lenient ? 'warning' : 'error';
  const wanted = check.languages.filter((l) => l.tag !== '*');
  // A display whose language is not stated (a code system without a language) may be in any language.
  const languageOf = (c: Candidate): string | undefined => c.language ?? provider.language;
  const inLanguage = wanted.length === 0 ? all : all.filter((c) => languageOf(c) === undefined || wanted.some((l) => languageMatches(l.tag, languageOf(c))));
  const match = inLanguage.find(equals);
  if (match?.status !== undefined) {
    const correct = all.filter((c) => c.status === undefined && (c === all[0] || inLanguage.includes(c))).map((c) => `"${c.value}"`);
    issues.add({ severity: 'warning', code: 'invalid', txIssueType: 'display-comment', message: `'${display}' is no longer considered a correct display for code '${concept.code}' (status = ${designationStatus(match.status)}). The correct display is one of ${[...new Set(correct)].join(', ')}.`, expression: [path] });
    return true;
  }
  if (match) return true;
  if (wanted.length > 0 && inLanguage.length === 0) {
    if (all.some(equals)) {
      issues.information('invalid', 'invalid-display', `There are no valid display names found for the code ${id} for language(s) '${langs}'. The display is '${display}' which is a valid display for the default language`, path);
      return true;
    }
    issues.add({ severity, code: 'invalid', txIssueType: 'invalid-display', message: `Wrong Display Name '${display}' for ${id}. There are no valid display names found for language(s) '${langs}'. Default display is '${concept.display ?? ''}'`, expression: [path] });
    return check.lenient;
  }
  // Without a language request the choices are the display and the designations that state a language.
  const shown = wanted.length === 0 ? all.filter((c, i) => (i === 0 && concept.display !== undefined) || (c.language !== undefined && c.value !== concept.display)) : inLanguage;
  if (inLanguage.some((c) => squash(c.value) === squash(display))) {
    issues.add({ severity, code: 'invalid', txIssueType: 'invalid-display', message: `Wrong whitespace in Display Name '${display}' for ${id}. Valid display is ${describe(shown)} (for the language(s) '${langs}')`, expression: [path] });
    return check.lenient;
  }
  issues.add({ severity, code: 'invalid', txIssueType: 'invalid-display', message: `Wrong Display Name '${display}' for ${id}. Valid display is ${describe(shown)} (for the language(s) '${langs}')`, expression: [path] });
  return check.lenient;
}
