import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../src/config.js';
import { FhirSchemaValidator } from '../../../src/fhir/validation/schema-validator.js';
import { codeSystem, conceptMap, valueSet } from '../fixtures.js';

const bad = { ...codeSystem(), status: 'final', url: 'has spaces in it', concept: [{ code: 'a', colour: 'red' }] };

test('valid terminology resources pass; violations become issues with FHIRPath expressions', () => {
  const v = FhirSchemaValidator.shared();
  assert.deepEqual(v.check(codeSystem()), []);
  assert.deepEqual(v.check(valueSet()), []);
  assert.deepEqual(v.check(conceptMap()), []);
  assert.deepEqual(v.check(bad).map((i) => i.expression?.[0]), ['CodeSystem.url', 'CodeSystem.status', 'CodeSystem.concept[0].colour']);
  // The schema has no cardinalities; they come from the StructureDefinitions (recursing into concept.concept).
  assert.deepEqual(v.check({ resourceType: 'ValueSet' }).map((i) => [i.code, i.message]), [['required', 'ValueSet.status is required (minimum cardinality 1)']]);
  const noCode = { ...codeSystem(), content: undefined, concept: [{ code: 'a', concept: [{ display: 'x' }] }] };
  assert.deepEqual(v.check(noCode).map((i) => i.expression?.[0]), ['CodeSystem.content', 'CodeSystem.concept[0].concept[0].code']);
  const cm = conceptMap({ group: [{ element: [{ code: 'x', target: [{ code: 'y' } as never] }] }] });
  assert.deepEqual(v.check(cm).map((i) => i.expression?.[0]), ['ConceptMap.group[0].element[0].target[0].equivalence']);
});

test('the standalone cache written by the first process gives a second validator identical answers', () => {
  FhirSchemaValidator.shared().warmUp();
  const fresh = new FhirSchemaValidator({ cacheDir: join(REPO_ROOT, 'node_modules', '.cache', 'rimag-tx') });
  fresh.warmUp();
  assert.equal(fresh.timing.source, 'cache');
  assert.deepEqual(fresh.check(bad), FhirSchemaValidator.shared().check(bad));
});
