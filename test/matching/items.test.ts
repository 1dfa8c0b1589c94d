import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CodeSystem } from 'fhir/r4';
import { examItemsFromCodeSystem, examItemsFromTsv } from '../../src/matching/items.js';
import { loadDefaultItems } from '../../src/matching/load.js';
import { createMatcher } from '../../src/matching/matcher.js';
import { ROOT, TSV } from './helpers.js';

const CS_FILE = join(ROOT, 'codesystems/exam-item-V3.8.2.json');

test('examItemsFromTsv reads all 1367 V3.8.2 items with their segments', () => {
  const items = examItemsFromTsv(TSV);
  assert.equal(items.length, 1367);
  const i = items.find((x) => x.code === '20010701111100');
  assert.ok(i);
  assert.equal(i.display, '* CT副鼻窦(平扫+三维重建)');
  assert.equal(i.bodyPartL3, '010701');
  assert.equal(i.bodyPartL3Name, '副鼻窦');
  assert.equal(i.scan, '11');
  assert.equal(i.postOrPosition, '11');
  assert.equal(i.postOrPositionName, '三维重建');
});

test('examItemsFromCodeSystem reads segment properties and names (falls back to the code when absent)', () => {
  const cs: CodeSystem = {
    resourceType: 'CodeSystem', status: 'active', content: 'complete',
    concept: [
      { code: '40030202003700', display: '* DR颈椎正、侧位', property: [
        { code: 'modality', valueCode: 'DR' }, { code: 'deviceType', valueCode: '40' }, { code: 'bodyPartL3', valueCode: '030202' },
        { code: 'bodyPartName', valueString: '颈椎' }, { code: 'xrayPosition', valueCode: '37' }, { code: 'xrayPositionName', valueString: '正、侧位' },
      ] },
      { code: '20040100110000', display: '* CT胸部(平扫)' },
      { code: 'not-an-item', display: 'grouper' },
    ],
  };
  const items = examItemsFromCodeSystem(cs);
  assert.equal(items.length, 2);
  assert.deepEqual(
    { m: items[0]?.modality, l3: items[0]?.bodyPartL3, name: items[0]?.bodyPartL3Name, pos: items[0]?.postOrPosition, posName: items[0]?.postOrPositionName },
    { m: 'DR', l3: '030202', name: '颈椎', pos: '37', posName: '正、侧位' },
  );
  assert.deepEqual({ m: items[1]?.modality, l1: items[1]?.bodyPartL1, l2: items[1]?.bodyPartL2, l3: items[1]?.bodyPartL3, scan: items[1]?.scan }, { m: 'CT', l1: '04', l2: '0401', l3: '040100', scan: '11' });
});

test('the published exam-item CodeSystem and the TSV give the same items and the same answers', { skip: existsSync(CS_FILE) ? false : 'codesystems/exam-item-V3.8.2.json not built yet' }, () => {
  const fromCs = examItemsFromCodeSystem(JSON.parse(readFileSync(CS_FILE, 'utf8')) as CodeSystem);
  const fromTsv = examItemsFromTsv(TSV);
  assert.equal(fromCs.length, fromTsv.length);
  const key = (i: (typeof fromTsv)[number]) => [i.code, i.modality, i.bodyPartL3, i.scan, i.postOrPosition].join('|');
  assert.deepEqual(new Set(fromCs.map(key)), new Set(fromTsv.map(key)));
  const a = createMatcher(fromCs);
  const b = createMatcher(fromTsv);
  for (const n of ['胸部CT平扫', '颈椎、腰椎正侧位', '乳腺钼钯双侧', '头颅MRA+MRI平扫', '冠状动脉CTA']) {
    assert.deepEqual(a.match(n).exams.map((e) => e.candidates[0]?.code), b.match(n).exams.map((e) => e.candidates[0]?.code), n);
  }
  assert.equal(loadDefaultItems(ROOT).source, 'codesystems/exam-item-V3.8.2.json');
});
