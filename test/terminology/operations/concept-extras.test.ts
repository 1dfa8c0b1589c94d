import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conceptExtras, standardsStatusOf } from '../../../src/terminology/operations/concept-extras.js';

const SD = 'http://hl7.org/fhir/StructureDefinition/';
const CP = 'http://hl7.org/fhir/concept-properties#';

test('concept extensions become label/order/weight/status properties; the value set overrides the code system', () => {
  const extras = conceptExtras({
    codeSystemExtensions: [
      { url: `${SD}codesystem-label`, valueString: 'a.' },
      { url: `${SD}codesystem-conceptOrder`, valueInteger: 6 },
      { url: `${SD}itemWeight`, valueDecimal: 1.2 },
      { url: `${SD}structuredefinition-standards-status`, valueCode: 'deprecated' },
    ],
    valueSetExtensions: [{ url: `${SD}valueset-conceptOrder`, valueInteger: 0 }],
    status: 'active',
    deprecated: false,
  });
  const byCode = new Map(extras.properties.map((p) => [p.code, p]));
  assert.deepEqual(byCode.get('label'), { code: 'label', uri: `${CP}label`, value: ['valueString', 'a.'] });
  assert.deepEqual(byCode.get('order'), { code: 'order', uri: `${CP}order`, value: ['valueDecimal', 0] });
  assert.deepEqual(byCode.get('weight'), { code: 'weight', uri: `${CP}itemWeight`, value: ['valueDecimal', 1.2] });
  assert.deepEqual(byCode.get('status'), { code: 'status', uri: `${CP}status`, value: ['valueCode', 'deprecated'] });
});

test('a status other than active, or deprecation, is a status property; active alone is not', () => {
  assert.deepEqual(conceptExtras({ status: 'retired', deprecated: false }).properties.map((p) => p.value), [['valueCode', 'retired']]);
  assert.deepEqual(conceptExtras({ status: 'active', deprecated: true }).properties.map((p) => p.value), [['valueCode', 'deprecated']]);
  assert.deepEqual(conceptExtras({ status: 'active', deprecated: false }).properties, []);
});

test('only the known rendering, description-id and deprecation extensions are copied to the expansion', () => {
  const extras = conceptExtras({
    codeSystemExtensions: [
      { url: `${SD}rendering-style`, valueString: 'color: red' },
      { url: 'http://example.org/unknown', valueString: 'ignored' },
    ],
    valueSetExtensions: [
      { url: `${SD}valueset-deprecated`, valueBoolean: true },
      { url: `${SD}valueset-conceptOrder`, valueInteger: 1 },
    ],
    deprecated: false,
  });
  assert.deepEqual(
    extras.extensions.map((e) => e.url),
    [`${SD}rendering-style`, `${SD}valueset-deprecated`],
  );
});

test('standardsStatusOf reads the standards-status extension', () => {
  assert.equal(standardsStatusOf([{ url: `${SD}structuredefinition-standards-status`, valueCode: 'withdrawn' }]), 'withdrawn');
  assert.equal(standardsStatusOf(undefined), undefined);
});
