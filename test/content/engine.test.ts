/**
 * The published content through the terminology engine (src/terminology): every ValueSet expands to
 * the pinned size, property filters work, Chinese text search finds items, ConceptMaps translate
 * both ways. Exercises the engine functions the HTTP operations call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeSystem, ConceptMap, ValueSet, ValueSetComposeIncludeFilter } from 'fhir/r4';
import { TerminologyRegistry } from '../../src/terminology/registry.js';
import { OperationContext } from '../../src/terminology/context.js';
import { expandValueSet } from '../../src/terminology/operations/expand.js';
import { translate } from '../../src/terminology/conceptmaps/translate.js';
import { examItemProviderFactory } from '../../src/standard/exam-item-provider.js';
import { codeSystemUrl, CS, DEFAULT_CANONICAL_BASE } from '../../src/standard/canonical.js';
import { committed, root } from './helpers.js';

const registry = new TerminologyRegistry();
for (const dir of ['codesystems', 'valuesets', 'conformance/conceptmaps']) {
  for (const f of readdirSync(join(root, dir))) registry.add(committed<CodeSystem | ValueSet | ConceptMap>(`${dir}/${f}`));
}
registry.registerProviderFactory(codeSystemUrl(DEFAULT_CANONICAL_BASE, CS.examItem), examItemProviderFactory({ resolve: (url) => registry.findCodeSystem(url) }));
const EXAM_ITEM = codeSystemUrl(DEFAULT_CANONICAL_BASE, CS.examItem);

function expand(vs: ValueSet, filter?: string): ValueSet['expansion'] {
  return expandValueSet(new OperationContext({ resolver: registry }), { valueSet: vs, filter, echo: [] }).expansion;
}
function expandId(id: string): ValueSet['expansion'] {
  return expand(committed<ValueSet>(`valuesets/${id}.json`));
}
function adHoc(filter: ValueSetComposeIncludeFilter[]): ValueSet {
  return { resourceType: 'ValueSet', status: 'active', compose: { include: [{ system: EXAM_ITEM, filter }] } };
}

test('every value set expands to its pinned size', () => {
  const expected: Record<string, number> = {
    'exam-item-all': 1367, 'exam-item-ct': 548, 'exam-item-mr': 480, 'exam-item-dr': 234, 'exam-item-mg': 51, 'exam-item-rf': 54,
    'exam-item-us': 443, 'exam-item-pet': 24, 'exam-item-spect': 48, 'exam-item-device-neutral': 1364,
    modality: 7, 'device-type': 17, 'body-part-level1': 9, 'body-part-level2': 81, 'body-part-level3': 249, 'xray-position': 69,
    'scan-method-ct': 18, 'scan-method-mr': 47, 'scan-method-xr': 34, 'additional-code': 1,
    'nhsa-radiology-price-item': 93, 'chuanyu-mutual-recognition-item': 141,
  };
  for (const [id, n] of Object.entries(expected)) assert.equal(expandId(id)!.total, n, id);
  for (const f of readdirSync(join(root, 'valuesets'))) {
    assert.ok((expandId(f.replace(/\.json$/, ''))!.total ?? 0) > 0, `${f} expands to something`);
  }
});

test('$expand filters on exam-item properties: MR items of 0302 颈椎, CT items with scan 33 CTA', () => {
  const mrNeck = expand(adHoc([{ property: 'modality', op: '=', value: 'MR' }, { property: 'bodyPartL2', op: '=', value: '0302' }]))!;
  assert.ok(mrNeck.total! > 0);
  assert.ok(mrNeck.contains!.every((c) => c.code!.startsWith('300302') && c.display!.startsWith('* MR')));
  const cta = expand(adHoc([{ property: 'modality', op: '=', value: 'CT' }, { property: 'scanMethod', op: '=', value: '33' }]))!;
  assert.equal(cta.total, 17);
  assert.ok(cta.contains!.every((c) => /\(CTP?A\)/.test(c.display!)), 'CTA, or CTPA for the pulmonary artery');
  const byKey = expand(adHoc([{ property: 'scanMethodKey', op: '=', value: 'CT-33' }]))!;
  assert.equal(byKey.total, 17);
  assert.equal(expand(adHoc([{ property: 'inPublishedAppendix', op: '=', value: 'false' }]))!.total, 141);
});

test('$expand text filter finds Chinese names regardless of brackets and star', () => {
  const hits = expandId('exam-item-all');
  assert.ok(hits);
  const vs = committed<ValueSet>('valuesets/exam-item-all.json');
  const first = expand(vs, 'CT胸部（平扫）')!.contains![0]!;
  assert.equal(first.code, '20040100110000');
  assert.ok(expand(vs, '颅脑')!.contains!.some((c) => c.code === '20010100110000'));
});

test('body-part hierarchy: is-a 0722 gives the knee parts', () => {
  const vs: ValueSet = { resourceType: 'ValueSet', status: 'active', compose: { include: [{ system: codeSystemUrl(DEFAULT_CANONICAL_BASE, CS.bodyPart), filter: [{ property: 'concept', op: 'is-a', value: '0722' }] }] } };
  // A filter-defined expansion keeps the code system's hierarchy (nested contains), as tx.fhir.org does.
  const codes = (contains: NonNullable<ValueSet['expansion']>['contains'] = []): string[] => contains.flatMap((c) => [c.code!, ...codes(c.contains)]);
  assert.deepEqual(codes(expand(vs)!.contains).sort(), ['0722', '072201', '072202', '072203']);
});

test('$translate 川渝 → exam item and back; exam item → price; device type → DICOM', () => {
  const cy = committed<ConceptMap>('conformance/conceptmaps/chuanyu-to-exam-item.json');
  const fwd = translate({ maps: [cy], system: codeSystemUrl(DEFAULT_CANONICAL_BASE, CS.chuanyuItem), code: '116', reverse: false });
  const match = fwd.parameter!.find((p) => p.name === 'match')!;
  assert.equal(match.part!.find((p) => p.name === 'concept')!.valueCoding!.code, '30010100110000');
  const back = translate({ maps: [cy], system: EXAM_ITEM, code: '40030500003700', reverse: true });
  // Reverse translation (R5 targetCode): `concept` echoes the target-side code, `source` carries each
  // source-side code found (HL7 tx-ecosystem translate/translate-reverse).
  const sources = back.parameter!.filter((p) => p.name === 'match').map((p) => p.part!.find((x) => x.name === 'source')!.valueCoding!.code);
  assert.deepEqual(sources.sort(), ['22', '39', '40', '41']);
  const price = committed<ConceptMap>('conformance/conceptmaps/exam-item-to-nhsa-price-item.json');
  const p = translate({ maps: [price], system: EXAM_ITEM, code: '30050101230000', reverse: false });
  assert.equal(p.parameter!.find((x) => x.name === 'match')!.part!.find((x) => x.name === 'concept')!.valueCoding!.code, '012301030051100');
  const dicom = committed<ConceptMap>('conformance/conceptmaps/device-type-to-dicom-modality.json');
  const d = translate({ maps: [dicom], system: codeSystemUrl(DEFAULT_CANONICAL_BASE, CS.deviceType), code: '43', reverse: false });
  assert.equal(d.parameter!.find((x) => x.name === 'match')!.part!.find((x) => x.name === 'concept')!.valueCoding!.code, 'CR');
});
