/** Specific items from every dictionary and every modality, checked against the source tables. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeSystem, concept, prop, props, committed } from './helpers.js';
import type { ConceptMap, ValueSet } from 'fhir/r4';

test('CT item 20010701111100 * CT副鼻窦(平扫+三维重建) (standard §6.3.3 example)', () => {
  const c = concept(codeSystem('exam-item-V3.8.2'), '20010701111100');
  assert.equal(c.display, '* CT副鼻窦(平扫+三维重建)');
  assert.deepEqual(
    ['modality', 'modalityCode', 'deviceType', 'bodyPartL1', 'bodyPartL2', 'bodyPartL3', 'scanMethod', 'scanMethodKey', 'postProcessing', 'additionalCode'].map((p) => prop(c, p)),
    ['CT', '2', '20', '01', '0107', '010701', '11', 'CT-11', '11', '00'],
  );
  const designations = c.designation!.map((d) => d.value);
  assert.ok(designations.includes('CT副鼻窦(平扫+三维重建)'));
  assert.ok(designations.includes('CT副鼻窦（平扫+三维重建）'));
  assert.ok(designations.includes('*CT副鼻窦(平扫+三维重建)'));
});

test('MR, DR, MG, RF, mobile DR items carry the right segments', () => {
  const cs = codeSystem('exam-item-V3.8.2');
  const mr = concept(cs, '30040100220000');
  assert.equal(mr.display, '* MR胸部(平扫+增强)');
  assert.equal(prop(mr, 'scanMethodName'), '平扫+增强');
  const dr = concept(cs, '40030202000100');
  assert.equal(dr.display, '* DR颈椎正位');
  assert.equal(prop(dr, 'xrayPosition'), '01');
  assert.equal(prop(dr, 'postProcessing'), undefined);
  const mg = concept(cs, '44040803M13700');
  assert.deepEqual([prop(mg, 'modality'), prop(mg, 'scanMethodKey'), prop(mg, 'xrayPositionName')], ['MG', 'XR-M1', '正、侧位']);
  const rf = concept(cs, '45081102X10000');
  assert.deepEqual([prop(rf, 'bodyPartL2'), prop(rf, 'scanMethod')], ['0811', 'X1'], 'L2 corrected from the code, not 0731');
  assert.equal(prop(concept(cs, '42040100000000'), 'deviceType'), '42');
  const en = (code: string) => concept(cs, code).designation!.filter((d) => d.language === 'en').map((d) => d.value);
  assert.deepEqual(en('20040100110000'), ['CT Chest Without IV Contrast'], 'reviewed ACR English');
  assert.deepEqual(en('44040803M10000'), [], 'loose ACR labels (tomosynthesis, screening) rejected');
  assert.equal(concept(cs, '309999997a0000').display?.includes('弥散频谱成像'), true, 'lower-case segment 7a kept');
});

test('US, PET and SPECT items', () => {
  const us = concept(codeSystem('us-exam-item'), '50U101000C0000');
  assert.equal(us.display, '*甲状腺常规超声检查');
  assert.deepEqual([prop(us, 'bodyPartL2'), prop(us, 'scanMethod')], ['U101', 'C0']);
  assert.equal(prop(concept(codeSystem('us-exam-item'), '50U508500C0000'), 'bodyPartL2'), 'U507', 'inconsistent L2 taken from the column, code kept');
  const pet = concept(codeSystem('pet-exam-item'), 'B010A100A000');
  assert.deepEqual([pet.display, prop(pet, 'modality')], ['* PET/MR躯干', 'PET/MR']);
  const spect = concept(codeSystem('spect-exam-item'), 'C010A503B3200');
  assert.deepEqual([prop(spect, 'process'), prop(spect, 'processName')], ['2', '肾小球滤过率测定']);
});

test('dictionary samples: modality, device type, body part, scan method, post-processing, position, additional code', () => {
  assert.equal(concept(codeSystem('modality'), 'A').display, 'PET/CT');
  const dt = concept(codeSystem('device-type'), '22');
  assert.deepEqual([dt.display, prop(dt, 'modality'), prop(dt, 'neutralDeviceType')], ['16排CT', '2', '20']);
  assert.equal(concept(codeSystem('device-type'), '43').display, 'CR');
  const knee = concept(codeSystem('body-part'), '072201');
  assert.deepEqual([knee.display, prop(knee, 'parent'), props(knee, 'applicableModality')], ['左膝关节', '0722', ['2', '3', '4']]);
  assert.equal(props(concept(codeSystem('body-part'), '073200'), 'applicableModality').length, 0, 'garbled 错 not published');
  assert.equal(concept(codeSystem('body-part'), '0302').display, '颈椎');
  assert.equal(concept(codeSystem('body-part'), '010104').designation!.some((d) => d.value === '颅脑[外伤]'), true);
  const sm = codeSystem('scan-method');
  assert.equal(concept(sm, 'CT-33').display, '动脉血管成像（CTA）');
  assert.equal(concept(sm, 'MR-33').display, '动脉血管增强成像（CE-MRA）');
  assert.equal(concept(sm, 'MR-7e').display, '平扫+波谱成像', '波普 typo corrected');
  assert.equal(concept(sm, 'MR-7e').designation!.some((d) => d.value === '平扫+波普成像'), true);
  assert.equal(prop(concept(sm, 'XR-M8'), 'inactive'), true);
  assert.throws(() => concept(sm, 'XR-M10'));
  assert.equal(prop(concept(sm, 'CT-3'), 'notSelectable'), true);
  assert.equal(concept(codeSystem('post-processing'), '41').display, '肺结节分析');
  assert.equal(concept(codeSystem('xray-position'), '37').display, '正、侧位');
  assert.equal(concept(codeSystem('additional-code'), '00').code, '00');
  assert.equal(concept(codeSystem('nhsa-radiology-price-item'), '012301020030001').property!.find((p) => p.code === 'parent')?.valueCode, '012301020030000');
  assert.equal(prop(concept(codeSystem('chuanyu-mutual-recognition-item'), '141'), 'category'), 'MR', 'MRI normalised');
});

test('value sets use = filters the engine can expand', () => {
  const ct = committed<ValueSet>('valuesets/exam-item-ct.json');
  assert.deepEqual(ct.compose!.include[0]!.filter, [{ property: 'modality', op: '=', value: 'CT' }]);
  const neutral = committed<ValueSet>('valuesets/exam-item-device-neutral.json');
  assert.deepEqual(neutral.compose!.include.map((i) => i.filter![0]!.value), ['20', '30', '40', '44', '45']);
  const cy = committed<ValueSet>('valuesets/exam-item-chuanyu-mutual-recognition.json');
  assert.ok(cy.compose!.include[0]!.concept!.some((c) => c.code === '40040100000100'));
});

test('ConceptMap samples: 川渝, price, DICOM', () => {
  const cy = committed<ConceptMap>('conformance/conceptmaps/chuanyu-to-exam-item.json').group![0]!.element;
  const el = (code: string) => cy.find((e) => e.code === code)!;
  assert.deepEqual(el('19').target!.map((t) => [t.code, t.equivalence]), [['40030202003700', 'equivalent']]);
  assert.equal(el('12').target!.length, 3, 'hip without laterality: three candidates');
  assert.ok(el('12').target![0]!.comment!.includes('laterality'));
  assert.equal(el('117').target![0]!.code, '30010301110000');
  const price = committed<ConceptMap>('conformance/conceptmaps/exam-item-to-nhsa-price-item.json').group![0]!.element;
  const p = (code: string) => price.find((e) => e.code === code)!.target!.map((t) => t.code ?? t.equivalence);
  assert.deepEqual(p('20010100110000'), ['012301020010000']);
  assert.deepEqual(p('20080101330000'), ['012301020030000']);
  assert.deepEqual(p('44040803M13700'), ['012301010030000']);
  assert.deepEqual(p('42040100000000'), ['012301010010000', '012301010010001']);
  assert.deepEqual(p('40999999010000'), ['unmatched']);
  const dicom = committed<ConceptMap>('conformance/conceptmaps/device-type-to-dicom-modality.json').group![0]!.element;
  assert.deepEqual(['20', '22', '40', '43', '44', '45'].map((c) => dicom.find((e) => e.code === c)!.target![0]!.code), ['CT', 'CT', 'DX', 'CR', 'MG', 'RF']);
});

test('川渝 decisions: 121 equivalent, 9 wider, 1 narrower, 2 inexact single targets and 8 multi-candidate rows with comments', () => {
  const els = committed<ConceptMap>('conformance/conceptmaps/chuanyu-to-exam-item.json').group![0]!.element;
  const kinds = new Map<string, number>();
  for (const e of els) {
    const k = e.target!.length > 1 ? 'multi' : e.target![0]!.equivalence;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
    if (k !== 'equivalent') assert.ok(e.target!.every((t) => (t.comment ?? '').length > 10), `row ${e.code} explains itself`);
  }
  assert.deepEqual(Object.fromEntries(kinds), { equivalent: 121, wider: 9, narrower: 1, inexact: 2, multi: 8 });
});
