/**
 * Learned mappings whose targets lie in the extension CodeSystems (us-/pet-/spect-exam-item): one
 * ConceptMap group per target system, merged back into one decision in the reviewer's order; maps
 * written before extension targets existed (exam-item only, one group per source) load unchanged.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CodeSystem, CodeSystemConcept, ConceptMap } from 'fhir/r4';
import { LearnedMappings, learnedMapId, senderCodeSystem, senderNameSystem, withLearned } from '../../src/matching/learned.js';
import type { ExamNameMatcher } from '../../src/matching/types.js';
import { MemoryResourceStore } from '../fhir/memory-store.js';
import { ROOT } from './helpers.js';

const BASE = 'https://bzh.rimagcloud.com/fhir';
const EXAM_ITEM = `${BASE}/CodeSystem/exam-item`;
const US = `${BASE}/CodeSystem/us-exam-item`;
const PET = `${BASE}/CodeSystem/pet-exam-item`;
const ORDER = `${BASE}/StructureDefinition/learned-target-order`;
const CHEST_CT_PLAIN = '20040100110000';
const UPPER_ABDOMEN_CT_PLAIN = '20050100110000';
const THYROID_US = '50U101000C0000';
const PET_CT_TRUNK = 'A010A100A000';

/** An engine that never answers, so every hit below comes from the learned map. */
const silent: ExamNameMatcher = { match: (name) => ({ input: name, decision: 'none', source: 'engine', exams: [] }) };

const codesOf = (file: string): string[] => {
  const out: string[] = [];
  const walk = (cs: CodeSystemConcept[] | undefined) => cs?.forEach((c) => (out.push(c.code), walk(c.concept)));
  walk((JSON.parse(readFileSync(join(ROOT, 'codesystems', file), 'utf8')) as CodeSystem).concept);
  return out;
};

describe('learned mappings across target systems', () => {
  test('the four item code spaces are disjoint, so a bare reviewed code names one item', () => {
    const files = ['exam-item-V3.8.2.json', 'us-exam-item.json', 'pet-exam-item.json', 'spect-exam-item.json'];
    const all = files.flatMap(codesOf);
    assert.ok(all.length > 1800, `${all.length} codes`);
    assert.equal(new Set(all).size, all.length, 'a code appears in two item CodeSystems');
  });

  test('a mixed decision is one element per target system, and comes back in the reviewer\'s order', async () => {
    const store = new MemoryResourceStore();
    const learned = new LearnedMappings(store, { canonicalBase: BASE });
    // An earlier exam-item decision puts the exam-item groups first; the reviewer then lists the ultrasound
    // exam first: that order must survive although the groups come in another order.
    await learned.record({ sender: 'hosp-X', name: '胸部CT', localCode: 'CT1', targets: [{ code: CHEST_CT_PLAIN }] });
    const map = await learned.record({
      sender: 'hosp-X', name: '甲状腺彩超+胸部CT平扫', localCode: 'MIX1', reviewer: 'dr.wang',
      targets: [{ code: THYROID_US, system: US }, { code: CHEST_CT_PLAIN }, { code: PET_CT_TRUNK, system: PET }],
    });
    const names = map.group?.filter((g) => g.source === senderNameSystem('hosp-X')) ?? [];
    assert.deepEqual(names.map((g) => g.target).sort(), [EXAM_ITEM, PET, US].sort());
    assert.equal(names[0]?.target, EXAM_ITEM, 'the groups are not in the reviewer\'s order');
    for (const g of names) assert.equal(g.element?.filter((e) => e.code === '甲状腺彩超+胸部ct平扫' || e.display === '甲状腺彩超+胸部CT平扫').length, 1, 'one element per group for the source code');
    const usTarget = names.find((g) => g.target === US)?.element?.[0]?.target?.[0];
    assert.deepEqual(usTarget?.extension, [{ url: ORDER, valueInteger: 0 }]);
    assert.equal(usTarget?.equivalence, 'narrower');
    assert.equal(map.targetUri, undefined, 'a map with extension targets names no single target system');

    const expected = [[US, THYROID_US], [EXAM_ITEM, CHEST_CT_PLAIN], [PET, PET_CT_TRUNK]];
    const pairs = (ts: Array<{ system: string; code: string }> | undefined) => ts?.map((t) => [t.system, t.code]);
    assert.deepEqual(pairs(learned.lookup('hosp-X', '甲状腺彩超+胸部CT平扫')), expected);
    assert.deepEqual(pairs(learned.lookup('hosp-X', 'whatever', 'MIX1')), expected);
    // A fresh process reads the same decision back.
    const reloaded = new LearnedMappings(store, { canonicalBase: BASE });
    await reloaded.load();
    assert.deepEqual(pairs(reloaded.lookup('hosp-X', '甲状腺彩超+胸部CT平扫')), expected);
    // withLearned: one exam per target, each candidate with its own system; displays from the callback per system.
    const m = withLearned(silent, reloaded, (code, system) => `${system === US ? 'US' : 'other'}:${code}`);
    const r = m.match('甲状腺彩超+胸部CT平扫', { sender: 'hosp-X' });
    assert.equal(r.source, 'learned');
    assert.equal(r.decision, 'auto');
    assert.deepEqual(r.exams.map((e) => [e.candidates[0]?.system, e.candidates[0]?.code]), expected);
    assert.equal(r.exams[0]?.candidates[0]?.display, `US:${THYROID_US}`);
  });

  test('a correction replaces the decision in every group: no stale extension target is left', async () => {
    const store = new MemoryResourceStore();
    const learned = new LearnedMappings(store, { canonicalBase: BASE });
    await learned.record({ sender: 's', name: '甲状腺检查', targets: [{ code: THYROID_US, system: US }] });
    assert.deepEqual(learned.lookup('s', '甲状腺检查')?.map((t) => t.system), [US]);
    const map = await learned.record({ sender: 's', name: '甲状腺检查', targets: [{ code: CHEST_CT_PLAIN }] });
    assert.deepEqual(map.group?.map((g) => g.target), [EXAM_ITEM], 'the emptied US group is removed');
    assert.equal(map.targetUri, EXAM_ITEM, 'an exam-item-only map names exam-item as before');
    assert.deepEqual(learned.lookup('s', '甲状腺检查')?.map((t) => [t.system, t.code]), [[EXAM_ITEM, CHEST_CT_PLAIN]]);
    // The same through a second process that only sees the updated map (store.watch → apply).
    const watcher = new LearnedMappings(store, { canonicalBase: BASE });
    await watcher.load();
    await learned.record({ sender: 's', name: '甲状腺检查', targets: [{ code: THYROID_US, system: US }] });
    watcher.apply((await store.read('ConceptMap', learnedMapId('s')))?.resource as ConceptMap);
    assert.deepEqual(watcher.lookup('s', '甲状腺检查')?.map((t) => [t.system, t.code]), [[US, THYROID_US]]);
    // "Not a standard exam" is kept in the exam-item group, as before.
    await learned.record({ sender: 's', name: '甲状腺检查', targets: [] });
    assert.deepEqual(learned.lookup('s', '甲状腺检查'), []);
  });

  test('a single-system decision is written as before: no order extension', async () => {
    const learned = new LearnedMappings(new MemoryResourceStore(), { canonicalBase: BASE });
    const map = await learned.record({ sender: 'p', name: '胸部+上腹部', targets: [{ code: CHEST_CT_PLAIN }, { code: UPPER_ABDOMEN_CT_PLAIN }] });
    assert.equal(map.group?.length, 1);
    assert.deepEqual(map.group?.[0]?.element?.[0]?.target?.map((t) => [t.code, t.equivalence, t.extension]), [[CHEST_CT_PLAIN, 'narrower', undefined], [UPPER_ABDOMEN_CT_PLAIN, 'narrower', undefined]]);
  });

  test('a map in the old shape (exam-item only, one group per source, no systems on targets) loads unchanged', async () => {
    const store = new MemoryResourceStore();
    const id = learnedMapId('legacy^H');
    const old: ConceptMap & { id: string } = {
      resourceType: 'ConceptMap', id, url: `${BASE}/ConceptMap/${id}`, status: 'active', targetUri: EXAM_ITEM,
      group: [
        { source: senderNameSystem('legacy^H'), target: EXAM_ITEM, element: [
          { code: '胸部+上腹部', display: '胸部+上腹部', target: [
            { code: UPPER_ABDOMEN_CT_PLAIN, display: '* CT上腹部(平扫)', equivalence: 'narrower', comment: 'reviewed by old' },
            { code: CHEST_CT_PLAIN, equivalence: 'narrower', comment: 'reviewed by old' },
          ] },
          { code: '留观费', target: [{ equivalence: 'unmatched', comment: 'reviewed' }] },
        ] },
        { source: senderCodeSystem('legacy^H'), target: EXAM_ITEM, element: [{ code: 'L9', target: [{ code: CHEST_CT_PLAIN, equivalence: 'equivalent' }] }] },
      ],
    };
    await store.put(old);
    const learned = new LearnedMappings(store, { canonicalBase: BASE });
    assert.equal(await learned.load(), 1);
    assert.deepEqual(learned.lookup('legacy^H', '胸部+上腹部'), [
      { code: UPPER_ABDOMEN_CT_PLAIN, display: '* CT上腹部(平扫)', system: EXAM_ITEM },
      { code: CHEST_CT_PLAIN, system: EXAM_ITEM },
    ], 'element order kept, system = the group target');
    assert.deepEqual(learned.lookup('legacy^H', 'x', 'L9'), [{ code: CHEST_CT_PLAIN, system: EXAM_ITEM }]);
    assert.deepEqual(learned.lookup('legacy^H', '留观费'), []);
    // A new review on the old map adds to it and leaves the other elements as they were.
    const updated = await learned.record({ sender: 'legacy^H', name: '甲状腺彩超', targets: [{ code: THYROID_US, system: US }] });
    const oldElement = updated.group?.find((g) => g.source === senderNameSystem('legacy^H') && g.target === EXAM_ITEM)?.element?.find((e) => e.code === '胸部+上腹部');
    assert.deepEqual(oldElement, old.group?.[0]?.element?.[0]);
    assert.deepEqual(learned.lookup('legacy^H', '甲状腺彩超')?.map((t) => t.system), [US]);
  });
});
