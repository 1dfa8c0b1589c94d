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
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

function candidatesOf(provider: CodeSystemProvider, concept: Concept): Candidate[] {
  const out: Candidate[] = [];
  if (concept.display !== undefined) out.push({ value: concept.display, language: provider.language });
  for (const d of concept.designations) out.push({ value: d.value, language: d.language });
  return out;
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
  const fallback = provider.language ?? 'en';
  const wanted = check.languages.filter((l) => l.tag !== '*');
  const inLanguage = wanted.length === 0 ? all : all.filter((c) => wanted.some((l) => languageMatches(l.tag, c.language ?? fallback)));
  if (inLanguage.some(equals)) return true;
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
