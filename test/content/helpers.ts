/** Shared fixtures for the content tests: the committed files and a fresh in-memory build. */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeSystem, CodeSystemConcept, ConceptMap, ValueSet } from 'fhir/r4';
import { buildContent, type ContentBuild } from '../../src/standard/build/index.js';
import { DEFAULT_CANONICAL_BASE } from '../../src/standard/canonical.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let cached: ContentBuild | undefined;
/** The build of standard-tables/ with the default canonical base (what is committed). */
export function freshBuild(): ContentBuild {
  cached ??= buildContent({ tablesDir: join(root, 'standard-tables'), base: DEFAULT_CANONICAL_BASE });
  return cached;
}

export function committed<T = CodeSystem | ValueSet | ConceptMap>(path: string): T {
  const abs = join(root, path);
  if (!existsSync(abs)) throw new Error(`missing committed file ${path}`);
  return JSON.parse(readFileSync(abs, 'utf8')) as T;
}

export function codeSystem(id: string): CodeSystem {
  return committed<CodeSystem>(`codesystems/${id}.json`);
}

/** All concepts of a CodeSystem, nested ones included. */
export function flatten(concepts: CodeSystemConcept[] | undefined): CodeSystemConcept[] {
  return (concepts ?? []).flatMap((c) => [c, ...flatten(c.concept)]);
}

export function prop(c: CodeSystemConcept, code: string): string | boolean | undefined {
  const p = c.property?.find((x) => x.code === code);
  return p?.valueCode ?? p?.valueString ?? p?.valueBoolean;
}

export function props(c: CodeSystemConcept, code: string): string[] {
  return (c.property ?? []).filter((x) => x.code === code).map((x) => x.valueCode ?? x.valueString ?? String(x.valueBoolean));
}

export function concept(cs: CodeSystem, code: string): CodeSystemConcept {
  const c = flatten(cs.concept).find((x) => x.code === code);
  if (!c) throw new Error(`${cs.id} has no concept ${code}`);
  return c;
}
