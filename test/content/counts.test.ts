/** Counts pinned to the published standard (fact sheet, standard-tables/SOURCES.md). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeSystem, flatten, prop, committed } from './helpers.js';
import type { CodeSystem, ConceptMap } from 'fhir/r4';

function selectable(cs: CodeSystem) {
  return flatten(cs.concept).filter((c) => prop(c, 'notSelectable') !== true);
}

test('exam items V3.8.2: 1367 items, CT 548, MR 480, DR 234 (231 + 3 mobile), MG 51, RF 54', () => {
  const cs = codeSystem('exam-item-V3.8.2');
  const all = flatten(cs.concept);
  assert.equal(all.length, 1367);
  assert.equal(cs.count, 1367);
  const by = (m: string) => all.filter((c) => prop(c, 'modality') === m).length;
  assert.deepEqual([by('CT'), by('MR'), by('DR'), by('MG'), by('RF')], [548, 480, 234, 51, 54]);
  assert.equal(all.filter((c) => prop(c, 'deviceType') === '42').length, 3);
  assert.equal(all.filter((c) => prop(c, 'inPublishedAppendix') === true).length, 1226);
  assert.equal(new Set(all.map((c) => c.code)).size, 1367);
});

test('extensions: US 443, PET 24 (12 PET/CT + 12 PET/MR), SPECT 48', () => {
  assert.equal(flatten(codeSystem('us-exam-item').concept).length, 443);
  const pet = flatten(codeSystem('pet-exam-item').concept);
  assert.equal(pet.length, 24);
  assert.equal(pet.filter((c) => prop(c, 'modality') === 'PET/CT').length, 12);
  assert.equal(flatten(codeSystem('spect-exam-item').concept).length, 48);
});

test('regional lists: 93 NHSA price items, 141 川渝 items (DR 66, CT 49, MR 26)', () => {
  assert.equal(flatten(codeSystem('nhsa-radiology-price-item').concept).length, 93);
  const cy = flatten(codeSystem('chuanyu-mutual-recognition-item').concept);
  assert.equal(cy.length, 141);
  const by = (m: string) => cy.filter((c) => prop(c, 'category') === m).length;
  assert.deepEqual([by('DR'), by('CT'), by('MR')], [66, 49, 26]);
});

test('dictionaries: modality 7, device type 17, body part 9/81/249, X-ray position 69', () => {
  assert.equal(flatten(codeSystem('modality').concept).length, 7);
  assert.equal(flatten(codeSystem('device-type').concept).length, 17);
  const bp = flatten(codeSystem('body-part').concept);
  const level = (l: string) => bp.filter((c) => prop(c, 'level') === l).length;
  assert.deepEqual([level('1'), level('2'), level('3')], [9, 81, 249]);
  assert.equal(codeSystem('body-part').concept!.length, 9, 'nesting: 9 roots');
  assert.equal(flatten(codeSystem('xray-position').concept).length, 69);
  assert.equal(flatten(codeSystem('additional-code').concept).length, 1);
});

test('scan methods: CT 16 + 00 + 47, MR 45 + 59 + 7h, X-ray 33 (M10 rejected) + 01; post-processing 15 + 00', () => {
  const sm = selectable(codeSystem('scan-method'));
  const group = (g: string) => sm.filter((c) => prop(c, 'modalityGroup') === g).length;
  assert.deepEqual([group('CT'), group('MR'), group('XR')], [18, 47, 34]);
  assert.equal(selectable(codeSystem('post-processing')).length, 16);
});

test('ConceptMaps cover every source code: 141 川渝, 1367 exam items → price, 17 + 6 device/modality', () => {
  const cy = committed<ConceptMap>('conformance/conceptmaps/chuanyu-to-exam-item.json');
  assert.equal(cy.group![0]!.element.length, 141);
  const price = committed<ConceptMap>('conformance/conceptmaps/exam-item-to-nhsa-price-item.json');
  assert.equal(price.group![0]!.element.length, 1367);
  const dicom = committed<ConceptMap>('conformance/conceptmaps/device-type-to-dicom-modality.json');
  assert.deepEqual(dicom.group!.map((g) => g.element.length), [17, 6]);
});
