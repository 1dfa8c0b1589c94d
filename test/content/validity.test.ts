/** Every generated resource passes the server's own write validation: FHIR R4 JSON schema + semantic checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeSystem, ValueSet } from 'fhir/r4';
import { FhirSchemaValidator } from '../../src/fhir/validation/schema-validator.js';
import { checkSemantics } from '../../src/fhir/validation/semantic.js';
import { freshBuild } from './helpers.js';

test('schema-valid and semantically clean (no errors, no warnings)', () => {
  const files = freshBuild().files;
  const lookup = {
    findCodeSystem: (url: string) => files.map((f) => f.resource).find((r): r is CodeSystem => r.resourceType === 'CodeSystem' && r.url === url),
    findValueSet: (url: string) => files.map((f) => f.resource).find((r): r is ValueSet => r.resourceType === 'ValueSet' && r.url === url),
  };
  const problems: string[] = [];
  for (const f of files) {
    for (const i of FhirSchemaValidator.shared().check(f.resource)) problems.push(`${f.path}: schema: ${i.message}`);
    const sem = checkSemantics(f.resource, lookup);
    for (const i of [...sem.errors, ...sem.warnings]) problems.push(`${f.path}: ${i.message}`);
  }
  assert.deepEqual(problems, []);
});
