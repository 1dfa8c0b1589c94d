import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const script = new URL('../../scripts/check-layers.mjs', import.meta.url).pathname;

function run(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the real src/ tree has no dependency-direction violations', () => {
  const res = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
});

test('allowed directions pass', () => {
  const res = run({
    'main.ts': "import { createApp } from './fhir/app.js';\nimport { x } from './hl7/gateway.js';",
    'fhir/app.ts': "import type { Store } from '../store/store.js';\nimport { r } from '../terminology/registry.js';\nimport { e } from '../errors.js';",
    'terminology/registry.ts': "import type { Store } from '../store/store.js';\nimport { s } from '../standard/canonical.js';",
  });
  assert.equal(res.status, 0, res.stderr);
});

test('each forbidden direction is reported with file and reason, exit 1', () => {
  const res = run({
    'terminology/a.ts': "import { app } from '../fhir/app.js';\nimport { SqliteStore } from '../store/sqlite/index.js';",
    'matching/b.ts': "export { gw } from '../hl7/gateway.js';",
    'hl7/c.ts': "import type { X } from '../fhir/deps.js';",
    'sync/d.ts': "const m = await import('../fhir/app.js');",
    'standard/e.ts': "// import { app } from '../fhir/app.js';  (comments do not count)\nexport const ok = 1;",
  });
  assert.equal(res.status, 1);
  const lines = res.stderr.trim().split('\n').slice(1).map((l) => l.trim()).sort();
  assert.deepEqual(lines, [
    "src/hl7/c.ts: imports '../fhir/deps.js' — only src/main.ts may import fhir/",
    "src/matching/b.ts: imports '../hl7/gateway.js' — only src/main.ts may import hl7/",
    "src/sync/d.ts: imports '../fhir/app.js' — only src/main.ts may import fhir/",
    "src/terminology/a.ts: imports '../fhir/app.js' — only src/main.ts may import fhir/",
    "src/terminology/a.ts: imports '../store/sqlite/index.js' — terminology/ may use only the store interface (src/store/store.ts), not store/sqlite/index.ts",
  ]);
});
