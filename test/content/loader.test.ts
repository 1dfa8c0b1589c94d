import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadContentDirs } from '../../src/content/loader.js';
import { createStore } from '../../src/store/index.js';

function write(dir: string, file: string, content: unknown): void {
  const path = join(dir, file);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

function tree(): string {
  const base = mkdtempSync(join(tmpdir(), 'rimag-content-'));
  write(base, 'codesystems/modality.json', { resourceType: 'CodeSystem', id: 'modality', url: 'urn:x:modality', status: 'active', content: 'complete', concept: [{ code: 'CT' }] });
  write(base, 'valuesets/all.json', { resourceType: 'ValueSet', id: 'all', status: 'active' });
  write(base, 'conformance/conceptmaps/cm.json', { resourceType: 'ConceptMap', id: 'cm', status: 'draft' });
  write(base, 'conformance/OperationDefinition-lookup.json', { resourceType: 'OperationDefinition', id: 'lookup', status: 'active', kind: 'operation', name: 'lookup', code: 'lookup', system: false, type: true, instance: false });
  write(base, 'conformance/README.txt', 'not json, ignored');
  return base;
}

const DIRS = ['codesystems', 'valuesets', 'conformance'];

test('loads every resource below the folders, recursively, and a restart writes no new versions', async () => {
  const base = tree();
  const dataDir = join(base, 'data');
  try {
    let store = await createStore({ dataDir });
    const first = await loadContentDirs(store, DIRS, { baseDir: base });
    assert.deepEqual([first.loaded, first.unchanged, first.errors, first.missingDirs], [4, 0, [], []]);
    assert.deepEqual(first.written.map((v) => `${v.resourceType}/${v.id}`).sort(), ['CodeSystem/modality', 'ConceptMap/cm', 'OperationDefinition/lookup', 'ValueSet/all']);
    await store.close();

    for (let restart = 0; restart < 2; restart++) {
      store = await createStore({ dataDir });
      const again = await loadContentDirs(store, DIRS, { baseDir: base });
      assert.deepEqual([again.loaded, again.unchanged, again.errors.length], [0, 4, 0]);
      assert.equal(await store.resources.historyCount({}), 4);
      await store.close();
    }

    // a changed file (formatting and meta do not count as changes) gives exactly one new version
    write(base, 'valuesets/all.json', { meta: { lastUpdated: '2020-01-01T00:00:00Z' }, status: 'active', id: 'all', resourceType: 'ValueSet' });
    write(base, 'codesystems/modality.json', { resourceType: 'CodeSystem', id: 'modality', url: 'urn:x:modality', status: 'active', content: 'complete', concept: [{ code: 'CT' }, { code: 'MR' }] });
    store = await createStore({ dataDir });
    const changed = await loadContentDirs(store, DIRS, { baseDir: base });
    assert.deepEqual([changed.loaded, changed.unchanged], [1, 3]);
    assert.equal((await store.resources.read('CodeSystem', 'modality'))?.versionId, 2);
    assert.equal((await store.resources.read('ValueSet', 'all'))?.versionId, 1);
    await store.close();
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('rejects files without resourceType or id, invalid JSON and duplicate ids, naming each file', async () => {
  const base = tree();
  write(base, 'valuesets/no-id.json', { resourceType: 'ValueSet', status: 'active' });
  write(base, 'valuesets/nested/no-type.json', { id: 'x' });
  write(base, 'valuesets/broken.json', '{ "resourceType": "ValueSet", ');
  write(base, 'valuesets/array.json', [1, 2]);
  write(base, 'valuesets/zz-copy.json', { resourceType: 'ValueSet', id: 'all', status: 'draft' });
  const store = await createStore({ dataDir: join(base, 'data') });
  try {
    const result = await loadContentDirs(store, [...DIRS, 'not-there'], { baseDir: base });
    assert.equal(result.loaded, 4);
    assert.deepEqual(result.missingDirs, ['not-there']);
    const byFile = new Map(result.errors.map((e) => [e.file, e.message]));
    assert.deepEqual([...byFile.keys()].sort(), [
      join('valuesets', 'array.json'),
      join('valuesets', 'broken.json'),
      join('valuesets', 'nested', 'no-type.json'),
      join('valuesets', 'no-id.json'),
      join('valuesets', 'zz-copy.json'),
    ]);
    assert.match(byFile.get(join('valuesets', 'no-id.json'))!, /ValueSet has no id/);
    assert.match(byFile.get(join('valuesets', 'nested', 'no-type.json'))!, /no resourceType/);
    assert.match(byFile.get(join('valuesets', 'broken.json'))!, /not valid JSON/);
    assert.match(byFile.get(join('valuesets', 'zz-copy.json'))!, /ValueSet\/all is also defined in valuesets\/all\.json/);
    assert.equal((await store.resources.read('ValueSet', 'all'))?.resource.meta?.versionId, '1');
  } finally {
    await store.close();
    rmSync(base, { recursive: true, force: true });
  }
});
