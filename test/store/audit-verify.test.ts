/** scripts/audit-verify.ts (npm run audit:verify) against a real SQLite store. */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createStore } from '../../src/store/index.js';
import { DB_FILE_NAME } from '../../src/store/sqlite/db.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/audit-verify.ts', import.meta.url));

function runVerify(dataDir: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.MONGODB_URI;
  delete env.CONFIG_FILE;
  return spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { env, encoding: 'utf8' });
}

test('audit:verify exits 0 on an intact chain, 1 naming the first broken record, 2 without a store', async () => {
  const base = mkdtempSync(join(tmpdir(), 'rimag-audit-verify-'));
  const dataDir = join(base, 'data');
  try {
    assert.equal(runVerify(dataDir).status, 2);
    const store = await createStore({ dataDir });
    for (let i = 0; i < 4; i++) await store.audit.append({ actor: 'admin', action: 'update', outcome: 'success', entity: `CodeSystem/x/_history/${i + 1}` });
    await store.close();

    const ok = runVerify(dataDir);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /audit chain intact: 4 records verified/);

    const db = new Database(join(dataDir, DB_FILE_NAME));
    db.prepare("UPDATE audit_record SET actor = 'intruder' WHERE seq = 3").run();
    db.close();
    const broken = runVerify(dataDir);
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, /BROKEN at record seq 3/);
    const asJson = JSON.parse(runVerify(dataDir, '--json').stdout) as { ok: boolean; firstBroken: number; checked: number };
    assert.deepEqual([asJson.ok, asJson.firstBroken, asJson.checked], [false, 3, 2]);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
