/**
 * ConceptMap/$review through the real composition root: a reviewer's decision is stored as the
 * sender's ConceptMap and answers that sender's next request first; bad targets and missing
 * credentials are refused without writing anything.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ConceptMap, OperationOutcome, Parameters, ParametersParameter } from 'fhir/r4';
import { defaultConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { start } from '../../src/main.js';
import { learnedMapId } from '../../src/matching/learned.js';

const TOKEN = 'review-token';
const MR_CHEST_PLAIN = '30040100110000';
const CT_CHEST_PLAIN = '20040100110000';

const body = (...parameter: ParametersParameter[]): Parameters => ({ resourceType: 'Parameters', parameter });
const str = (name: string, valueString: string): ParametersParameter => ({ name, valueString });

describe('ConceptMap/$review', () => {
  let running: Awaited<ReturnType<typeof start>>;
  let base = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'review-'));

  before(async () => {
    const config = defaultConfig();
    config.http.host = '127.0.0.1';
    config.http.port = 0;
    config.store.dataDir = dataDir;
    config.adminToken = TOKEN;
    config.terminology.loadFhirCore = false;
    running = await start(config, silentLogger, { env: {} });
    base = `http://127.0.0.1:${(running.server.address() as { port: number }).port}/fhir`;
  });
  after(async () => {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, p: Parameters, token?: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      body: JSON.stringify(p),
      headers: { 'Content-Type': 'application/fhir+json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });

  const standardize = async (name: string, sender: string) => {
    const res = await post('/$standardize', body(str('name', name), str('sender', sender)));
    assert.equal(res.status, 200);
    const result = ((await res.json()) as Parameters).parameter?.find((p) => p.name === 'result');
    return Object.fromEntries((result?.part ?? []).map((p) => [p.name, p.valueString ?? p.valueCode ?? p.valueDecimal]));
  };

  test('a recorded decision wins for that sender only, and is kept in its ConceptMap', async () => {
    // Before review the name carries no modality, so the engine cannot pick the MR item.
    const before = await standardize('胸部平扫', 'HIS^HOSP-A');
    assert.notEqual(before.code, MR_CHEST_PLAIN);

    const res = await post('/ConceptMap/$review', body(str('sender', 'HIS^HOSP-A'), str('name', '胸部平扫'), str('localCode', 'X001'), { name: 'target', valueCode: MR_CHEST_PLAIN }), TOKEN);
    assert.equal(res.status, 200);
    const map = (await res.json()) as ConceptMap;
    assert.equal(map.resourceType, 'ConceptMap');
    const targets = (map.group ?? []).flatMap((g) => (g.element ?? []).flatMap((e) => (e.target ?? []).map((t) => t.code)));
    assert.ok(targets.includes(MR_CHEST_PLAIN));

    const after = await standardize('胸部平扫', 'HIS^HOSP-A');
    assert.equal(after.code, MR_CHEST_PLAIN);
    assert.equal(after.decision, 'auto');
    const other = await standardize('胸部平扫', 'HIS^HOSP-B');
    assert.notEqual(other.code, MR_CHEST_PLAIN, 'another sender is not affected');

    const stored = await fetch(`${base}/ConceptMap/${map.id}`);
    assert.equal(stored.status, 200, 'the learned map is a readable FHIR resource');
  });

  test('targets that are not exam items are refused with one issue each (422), nothing written', async () => {
    const res = await post('/ConceptMap/$review', body(str('sender', 'HIS^HOSP-C'), str('name', '头颅CT'), { name: 'target', valueCode: '99999999999999' }, { name: 'target', valueCode: CT_CHEST_PLAIN }, { name: 'target', valueCode: 'abc' }), TOKEN);
    assert.equal(res.status, 422);
    const oo = (await res.json()) as OperationOutcome;
    assert.equal(oo.issue.length, 2);
    assert.ok(oo.issue.every((i) => i.code === 'code-invalid'));
    const search = (await (await fetch(`${base}/ConceptMap?_id=${learnedMapId('HIS^HOSP-C')}&_summary=count`)).json()) as { total: number };
    assert.equal(search.total, 0);
  });

  test('missing parameters are 400; no or a wrong token is refused', async () => {
    assert.equal((await post('/ConceptMap/$review', body(str('name', 'x')), TOKEN)).status, 400);
    assert.equal((await post('/ConceptMap/$review', body(str('sender', 'a'), str('name', 'x')))).status, 401);
    assert.equal((await post('/ConceptMap/$review', body(str('sender', 'a'), str('name', 'x')), 'wrong')).status, 403);
  });
});
