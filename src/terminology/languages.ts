/**
 * Language preferences (BCP 47 with Accept-Language q-values) and display selection by language.
 */
import type { ValueSet } from 'fhir/r4';
import type { Designation } from './codesystems/provider.js';

const EXPANSION_PARAMETER = 'http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter';

/**
 * The display language a value set asks for when the request names none: a `displayLanguage`
 * expansion parameter in `compose` (valueset-expansion-parameter extension), else ValueSet.language.
 */
export function valueSetDisplayLanguage(vs: ValueSet): string | undefined {
  for (const ext of vs.compose?.extension ?? []) {
    if (ext.url !== EXPANSION_PARAMETER) continue;
    const parts = ext.extension ?? [];
    if (parts.find((p) => p.url === 'name')?.valueCode !== 'displayLanguage') continue;
    const value = parts.find((p) => p.url === 'value');
    const tag = value?.valueCode ?? value?.valueString;
    if (tag) return tag;
  }
  return vs.language;
}

export interface LanguagePreference {
  tag: string;
  q: number;
}

/**
 * Parses `en, de;q=0.5` or a single `displayLanguage` code into preferences, best first. Tags
 * weighted 0 (not acceptable) are dropped unless `keepZero`; `keepOrder` keeps the written order.
 */
export function parseLanguagePreferences(text: string | undefined, options: { keepZero?: boolean; keepOrder?: boolean } = {}): LanguagePreference[] {
  if (!text) return [];
  const prefs = text
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: (tag ?? '').trim(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((p) => p.tag !== '' && (options.keepZero || p.q > 0));
  return options.keepOrder ? prefs : prefs.sort((a, b) => b.q - a.q);
}

/** BCP 47 language tag syntax (RFC 5646 §2.1, loosely: subtags of 1-8 letters/digits), or `*`. */
const LANGUAGE_TAG = /^(\*|[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*)$/;

/** The first tag of a language request (`displayLanguage` / Accept-Language) that is not a language tag. */
export function invalidLanguageTag(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  for (const part of text.split(',')) {
    const tag = (part.split(';')[0] ?? '').trim();
    if (!LANGUAGE_TAG.test(tag)) return tag;
  }
  return undefined;
}

/** Whether a designation/display language satisfies a requested tag (`en` accepts `en-AU`). */
export function languageMatches(requested: string, actual: string | undefined): boolean {
  if (!actual) return false;
  if (requested === '*') return true;
  const r = requested.toLowerCase();
  const a = actual.toLowerCase();
  return a === r || a.startsWith(r + '-') || r.startsWith(a + '-');
}

export function exactLanguage(requested: string, actual: string | undefined): boolean {
  return actual !== undefined && actual.toLowerCase() === requested.toLowerCase();
}

/**
 * Picks the display for the preferred languages: the base display when its language fits, else a
 * designation in the language. Returns undefined when a language was asked for and none fits.
 */
export function displayForLanguages(opts: {
  display?: string;
  displayLanguage?: string;
  designations: Designation[];
  languages: LanguagePreference[];
}): { value: string; language?: string } | undefined {
  const { display, displayLanguage, designations, languages } = opts;
  if (languages.length === 0) return display !== undefined ? { value: display, language: displayLanguage } : undefined;
  for (const pref of languages) {
    if (pref.tag === '*') return display !== undefined ? { value: display, language: displayLanguage } : undefined;
    if (display !== undefined && exactLanguage(pref.tag, displayLanguage ?? 'en')) return { value: display, language: displayLanguage };
    const exact = designations.find((d) => exactLanguage(pref.tag, d.language) && isDisplayUse(d));
    if (exact) return { value: exact.value, language: exact.language };
    if (display !== undefined && languageMatches(pref.tag, displayLanguage ?? 'en')) return { value: display, language: displayLanguage };
    const loose = designations.find((d) => languageMatches(pref.tag, d.language) && isDisplayUse(d));
    if (loose) return { value: loose.value, language: loose.language };
  }
  return undefined;
}

/** Designations without a use, or with a display-like use, can stand in for the display. */
function isDisplayUse(d: Designation): boolean {
  if (!d.use) return true;
  const code = d.use.code ?? '';
  return code === 'display' || code === 'preferredForLanguage' || code === '900000000000013009';
}
