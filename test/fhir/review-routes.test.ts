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
const EXAM_ITEM = 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item';
const US = 'https://bzh.rimagcloud.com/fhir/CodeSystem/us-exam-item';
const PET = 'https://bzh.rimagcloud.com/fhir/CodeSystem/pet-exam-item';
const THYROID_US = '50U101000C0000';
const PET_CT_TRUNK = 'A010A100A000';

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

  /** The sender's learned answer through free-text $translate: [system, code] of every match, in order. */
  const translated = async (sender: string, code: string, text: string, targetsystem?: string) => {
    const res = await post('/ConceptMap/$translate', body(
      { name: 'coding', valueCoding: { system: `urn:rimag:sender:${sender}`, code, display: text } },
      ...(targetsystem ? [{ name: 'targetsystem', valueUri: targetsystem }] : []),
    ));
    assert.equal(res.status, 200);
    const out = (await res.json()) as Parameters;
    assert.match(out.parameter?.find((p) => p.name === 'message')?.valueString ?? '', /reviewed mapping/);
    return (out.parameter ?? []).filter((p) => p.name === 'match')
      .map((m) => m.part?.find((p) => p.name === 'concept')?.valueCoding)
      .map((c) => [c?.system, c?.code, c?.display]);
  };

  test('ultrasound and PET targets: a bare code is found in its extension system, a Coding is checked in its own; the order is kept', async () => {
    const res = await post('/ConceptMap/$review', body(
      str('sender', 'RIS^HOSP-US'), str('name', '甲状腺彩超+胸部CT平扫+PET'), str('localCode', 'MIX7'),
      { name: 'target', valueCode: THYROID_US },
      { name: 'target', valueString: CT_CHEST_PLAIN },
      { name: 'target', valueCoding: { system: PET, code: PET_CT_TRUNK } },
    ), TOKEN);
    assert.equal(res.status, 200);
    const map = (await res.json()) as ConceptMap;
    assert.deepEqual([...new Set((map.group ?? []).map((g) => g.target))].sort(), [EXAM_ITEM, PET, US].sort());
    const usTarget = map.group?.find((g) => g.target === US)?.element?.[0]?.target?.[0];
    assert.equal(usTarget?.display, '*甲状腺常规超声检查', 'the display is taken from the US item');

    const all = await translated('RIS^HOSP-US', 'MIX7', 'anything');
    assert.deepEqual(all.map(([system, code]) => [system, code]), [[US, THYROID_US], [EXAM_ITEM, CT_CHEST_PLAIN], [PET, PET_CT_TRUNK]]);
    // targetsystem restricts learned answers as it restricts the engine's.
    assert.deepEqual((await translated('RIS^HOSP-US', 'MIX7', 'anything', US)).map(([, code]) => code), [THYROID_US]);
    assert.deepEqual((await translated('RIS^HOSP-US', 'MIX7', 'anything', EXAM_ITEM)).map(([, code]) => code), [CT_CHEST_PLAIN]);

    // A single US decision answers $standardize with the US system.
    const single = await post('/ConceptMap/$review', body(str('sender', 'RIS^HOSP-US'), str('name', '颈部包块B超'), { name: 'target', valueCoding: { system: US, code: THYROID_US } }), TOKEN);
    assert.equal(single.status, 200);
    const std = await post('/$standardize', body(str('name', '颈部包块B超'), str('sender', 'RIS^HOSP-US')));
    const result = ((await std.json()) as Parameters).parameter?.find((p) => p.name === 'result');
    const concept = JSON.stringify(result);
    assert.ok(concept.includes(US) && concept.includes(THYROID_US), concept);
  });

  test('an unknown system, a code outside the named system, or an unknown bare code: 422, one issue each, nothing written', async () => {
    const res = await post('/ConceptMap/$review', body(
      str('sender', 'HIS^HOSP-D'), str('name', '甲状腺彩超'),
      { name: 'target', valueCoding: { system: 'http://example.org/local', code: THYROID_US } },
      { name: 'target', valueCoding: { system: US, code: CT_CHEST_PLAIN } },
      { name: 'target', valueCode: '50U999999C0000' },
      { name: 'target', valueCoding: { system: US, code: THYROID_US } },
    ), TOKEN);
    assert.equal(res.status, 422);
    const oo = (await res.json()) as OperationOutcome;
    assert.deepEqual(oo.issue.map((i) => i.code), ['not-supported', 'code-invalid', 'code-invalid']);
    assert.match(oo.issue[1]?.details?.text ?? '', /us-exam-item/);
    const search = (await (await fetch(`${base}/ConceptMap?_id=${learnedMapId('HIS^HOSP-D')}&_summary=count`)).json()) as { total: number };
    assert.equal(search.total, 0);
  });

  test('missing parameters are 400; no or a wrong token is refused', async () => {
    assert.equal((await post('/ConceptMap/$review', body(str('name', 'x')), TOKEN)).status, 400);
    assert.equal((await post('/ConceptMap/$review', body(str('sender', 'a'), str('name', 'x')))).status, 401);
    assert.equal((await post('/ConceptMap/$review', body(str('sender', 'a'), str('name', 'x')), 'wrong')).status, 403);
  });
});
