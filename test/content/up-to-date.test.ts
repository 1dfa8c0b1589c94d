/** The committed FHIR files must be exactly what the build makes from standard-tables/ today. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialise } from '../../src/standard/build/index.js';
import { listGenerated, isImportedRelease } from '../../src/standard/build/files.js';
import { freshBuild, root } from './helpers.js';

test('every generated resource equals the committed file (run npm run build:content if this fails)', () => {
  const build = freshBuild();
  const stale: string[] = [];
  for (const f of build.files) {
    let current: string | undefined;
    try {
      current = readFileSync(join(root, f.path), 'utf8');
    } catch {
      current = undefined;
    }
    if (current === undefined) stale.push(`${f.path} (missing)`);
    else if (current !== serialise(f.resource)) {
      // Compare as JSON too so the message says whether only formatting differs.
      const same = JSON.stringify(JSON.parse(current)) === JSON.stringify(f.resource);
      stale.push(`${f.path}${same ? ' (formatting only)' : ''}`);
    }
  }
  assert.deepEqual(stale, [], `out of date with standard-tables/: ${stale.join(', ')}`);
});

test('no stray files in the generated folders besides imported exam-item releases', () => {
  const produced = new Set(freshBuild().files.map((f) => f.path));
  const stray = listGenerated(root).filter((p) => !produced.has(p) && !isImportedRelease(p));
  assert.deepEqual(stray, []);
});

test('ids are unique per resource type and file names follow the ids', () => {
  const seen = new Set<string>();
  for (const f of freshBuild().files) {
    const key = `${f.resource.resourceType}/${f.resource.id}`;
    assert.ok(!seen.has(key), `duplicate ${key}`);
    seen.add(key);
    assert.ok(f.path.endsWith(`/${f.resource.id}.json`), f.path);
  }
});

test('the committed report matches the build', () => {
  const text = readFileSync(join(root, 'content-build-report.md'), 'utf8');
  for (const e of freshBuild().report.entries) {
    assert.ok(text.includes(e.reason.replace(/\|/g, '\\|')), `report lacks: ${e.reason}`);
  }
});
