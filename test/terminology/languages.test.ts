import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalidLanguageTag, parseLanguagePreferences, valueSetDisplayLanguage } from '../../src/terminology/languages.js';

test('language requests: weights order the tags, q=0 drops a tag unless kept', () => {
  assert.deepEqual(
    parseLanguagePreferences('de;q=0.5, en').map((l) => l.tag),
    ['en', 'de'],
  );
  assert.deepEqual(parseLanguagePreferences('de,*; q=0'), [{ tag: 'de', q: 1 }]);
  assert.deepEqual(parseLanguagePreferences('de,*; q=0', { keepZero: true, keepOrder: true }), [
    { tag: 'de', q: 1 },
    { tag: '*', q: 0 },
  ]);
});

test('invalidLanguageTag finds the first tag that is not BCP 47 syntax', () => {
  assert.equal(invalidLanguageTag('de'), undefined);
  assert.equal(invalidLanguageTag('en-AU, *;q=0'), undefined);
  assert.equal(invalidLanguageTag('-'), '-');
  assert.equal(invalidLanguageTag('en,de_DE'), 'de_DE');
  assert.equal(invalidLanguageTag(undefined), undefined);
});

test('a value set states its display language by a compose expansion parameter, else by ValueSet.language', () => {
  const param = {
    url: 'http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter',
    extension: [
      { url: 'name', valueCode: 'displayLanguage' },
      { url: 'value', valueCode: 'en' },
    ],
  };
  assert.equal(valueSetDisplayLanguage({ resourceType: 'ValueSet', status: 'active', language: 'de', compose: { extension: [param], include: [] } }), 'en');
  assert.equal(valueSetDisplayLanguage({ resourceType: 'ValueSet', status: 'active', language: 'de' }), 'de');
  assert.equal(valueSetDisplayLanguage({ resourceType: 'ValueSet', status: 'active' }), undefined);
});
