import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ConceptMap, Resource } from 'fhir/r4';
import { LearnedMappings, learnedMapId, senderCodeSystem, senderNameSystem, withLearned } from '../../src/matching/learned.js';
import type { PutResult, ResourceStore, ResourceVersion, WriteOptions } from '../../src/store/store.js';
import { matcher } from './helpers.js';

/** A tiny in-memory ResourceStore: versions, ifMatch conflicts (status 412), listCurrent. */
function memoryStore(): ResourceStore {
  const versions = new Map<string, ResourceVersion[]>();
  let seq = 0;
  const key = (t: string, id: string) => `${t}/${id}`;
  const put = async (resource: Resource & { id: string }, options: WriteOptions = {}): Promise<PutResult> => {
    const list = versions.get(key(resource.resourceType, resource.id)) ?? [];
    const current = list[list.length - 1];
    if (options.ifMatch !== undefined && current?.versionId !== options.ifMatch) throw Object.assign(new Error('version conflict'), { status: 412 });
    const versionId = (current?.versionId ?? 0) + 1;
    const lastUpdated = new Date().toISOString();
    const stored = { ...structuredClone(resource), meta: { versionId: String(versionId), lastUpdated } };
    const v: ResourceVersion = { resourceType: resource.resourceType, id: resource.id, versionId, lastUpdated, seq: ++seq, deleted: false, contentHash: '', resource: stored };
    versions.set(key(resource.resourceType, resource.id), [...list, v]);
    return { version: v, outcome: current ? 'updated' : 'created' };
  };
  const last = (t: string, id: string) => versions.get(key(t, id))?.at(-1);
  return {
    put,
    putIfChanged: put,
    delete: async () => undefined,
    read: async (t, id) => last(t, id),
    vread: async (t, id, v) => versions.get(key(t, id))?.find((x) => x.versionId === v),
    history: async () => [...versions.values()].flat(),
    historyCount: async () => [...versions.values()].flat().length,
    listCurrent: async (t) => [...versions.values()].map((l) => l.at(-1) as ResourceVersion).filter((v) => !t || v.resourceType === t),
    headSeq: async () => seq,
  };
}

async function exerciseLearning(store: ResourceStore): Promise<void> {
  const learned = new LearnedMappings(store);
  const m = withLearned(matcher(), learned);
  // Before review: the engine answers.
  const before = m.match('胸部平扫', { sender: 'hosp-A' });
  assert.equal(before.source, 'engine');
  assert.notEqual(before.decision, 'auto');
  // A reviewer maps the sender's name (and local code) to MR chest.
  const map = await learned.record({ sender: 'hosp-A', name: '胸部平扫(医保)', localCode: 'L116', targets: [{ code: '30040100110000', display: '* MR胸部(平扫)' }], reviewer: 'dr.li' });
  assert.equal(map.id, learnedMapId('hosp-A'));
  assert.deepEqual(map.group?.map((g) => g.source).sort(), [senderCodeSystem('hosp-A'), senderNameSystem('hosp-A')].sort());
  assert.equal(map.group?.[0]?.target, 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item');
  // Next time: by normalised name (noise removed) and by local code, for this sender only.
  const byName = m.match('胸部平扫', { sender: 'hosp-A' });
  assert.equal(byName.source, 'learned');
  assert.equal(byName.decision, 'auto');
  assert.equal(byName.exams[0]?.candidates[0]?.code, '30040100110000');
  assert.equal(m.match('anything at all', { sender: 'hosp-A', localCode: 'L116' }).exams[0]?.candidates[0]?.code, '30040100110000');
  assert.equal(m.match('胸部平扫', { sender: 'hosp-B' }).source, 'engine');
  assert.equal(m.match('胸部平扫').source, 'engine');
  // A correction replaces the element; a multi-exam decision keeps one target per exam; "not an exam" is remembered too.
  await learned.record({ sender: 'hosp-A', name: '胸部平扫', targets: [{ code: '20040100110000' }] });
  await learned.record({ sender: 'hosp-A', name: '胸部+上腹部', targets: [{ code: '20040100110000' }, { code: '20050100110000' }] });
  await learned.record({ sender: 'hosp-A', name: '留观费', targets: [] });
  assert.equal(m.match('胸部平扫', { sender: 'hosp-A' }).exams[0]?.candidates[0]?.code, '20040100110000');
  assert.deepEqual(m.match('胸部+上腹部', { sender: 'hosp-A' }).exams.map((e) => e.candidates[0]?.code), ['20040100110000', '20050100110000']);
  assert.equal(m.match('留观费', { sender: 'hosp-A' }).decision, 'none');
  // A fresh process reads the same knowledge back from the store.
  const reloaded = new LearnedMappings(store);
  assert.equal(await reloaded.load(), 1);
  assert.equal(reloaded.lookup('hosp-A', '胸部平扫')?.[0]?.code, '20040100110000');
  assert.equal(reloaded.lookup('hosp-A', 'x', 'L116')?.[0]?.code, '30040100110000');
  const stored = (await store.read('ConceptMap', learnedMapId('hosp-A')))?.resource as ConceptMap;
  const names = stored.group?.find((g) => g.source === senderNameSystem('hosp-A'));
  assert.equal(names?.element?.find((e) => e.code === '胸部+上腹部')?.target?.[0]?.equivalence, 'narrower');
  assert.equal(names?.element?.find((e) => e.code === '留观费')?.target?.[0]?.equivalence, 'unmatched');
}

describe('learned mappings', () => {
  test('with an in-memory store', async () => {
    await exerciseLearning(memoryStore());
  });

  test('with the SQLite store (createStore in a temp dir)', async () => {
    const { createStore } = await import('../../src/store/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'learned-'));
    const store = await createStore({ dataDir: dir });
    try {
      await exerciseLearning(store.resources);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('concurrent reviews for one sender both survive (optimistic locking retries)', async () => {
    const store = memoryStore();
    const a = new LearnedMappings(store);
    const b = new LearnedMappings(store);
    await Promise.all([
      a.record({ sender: 's', name: '头颅CT', targets: [{ code: '20010100110000' }] }),
      b.record({ sender: 's', name: '颈椎MRI', targets: [{ code: '30030202110000' }] }),
    ]);
    const c = new LearnedMappings(store);
    await c.load();
    assert.equal(c.lookup('s', '头颅CT')?.[0]?.code, '20010100110000');
    assert.equal(c.lookup('s', '颈椎MRI')?.[0]?.code, '30030202110000');
  });

  test('ids are valid FHIR ids for any sender string', () => {
    for (const s of ['hosp-A', '南昌大学第一附属医院', 'HIS^RIS|01', 'x'.repeat(200)]) assert.match(learnedMapId(s), /^[A-Za-z0-9\-.]{1,64}$/);
    assert.notEqual(learnedMapId('南昌'), learnedMapId('北京'));
  });
});
