/**
 * The HL7 gateway as src/main.ts composes it: start() with MLLP_PORT / MLLP_HOST / MLLP_DOWNSTREAM
 * (ephemeral port, loopback), the real matcher built from the shipped exam-item CodeSystem, the
 * learned ConceptMap step, the admin routes with ADMIN_TOKEN, and a raw downstream MLLP peer.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { start, type RunningServer } from '../../src/main.js';
import { LearnedMappings } from '../../src/matching/index.js';
import { Downstream, RawSender, field, frame, orm, segments, waitFor } from './helpers.js';

const TOKEN = 'hl7-wiring-token';
const CHEST_CT_PLAIN = '20040100110000';
const UPPER_ABDOMEN_CT_PLAIN = '20050100110000';
const US_SYSTEM = 'https://bzh.rimagcloud.com/fhir/CodeSystem/us-exam-item';
const THYROID_US = '50U101000C0000';

describe('HL7 gateway wired by start()', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'main-hl7-'));
  const downstream = new Downstream();
  let running: RunningServer;
  let sender: RawSender;
  let http: string;

  before(async () => {
    await downstream.start();
    const config = defaultConfig();
    config.http.host = '127.0.0.1';
    config.http.port = 0;
    config.store.dataDir = dataDir;
    config.store.pollIntervalMs = 100;
    config.adminToken = TOKEN;
    config.terminology.loadFhirCore = false;
    const env = { MLLP_PORT: '0', MLLP_HOST: '127.0.0.1', MLLP_DOWNSTREAM: `127.0.0.1:${downstream.port}` };
    running = await start(config, silentLogger, { env });
    assert.ok(running.hl7, 'MLLP_PORT must enable the gateway');
    http = `http://127.0.0.1:${(running.server.address() as { port: number }).port}/fhir`;
    sender = await RawSender.connect(running.hl7.port('default'));
  });

  after(async () => {
    sender?.close();
    await running?.stop();
    await downstream.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Sends one ORM^O01, waits for its ACK and its forwarded copy; returns OBR-4 as forwarded. */
  async function roundTrip(controlId: string, local: [string, string], sendingApp = 'HIS'): Promise<{ ack: string; obr4: string }> {
    const acks = sender.collector.frames.length;
    sender.write(frame(orm(controlId, { obrs: [local], sender: sendingApp })));
    const [ack] = (await sender.replies(acks + 1)).slice(acks);
    await waitFor(() => downstream.controlIds().includes(controlId), 15_000, `forward of ${controlId}`);
    const forwarded = downstream.received[downstream.controlIds().indexOf(controlId)]!.toString('utf8');
    const obr = segments(forwarded).find((s) => s.startsWith('OBR|'))!;
    return { ack: ack!.toString('utf8'), obr4: field(obr, 4) };
  }

  test('a real-world name in OBR-4 is rewritten by the matcher: standard code first, the local code kept in 4.4–4.6', async () => {
    const { ack, obr4 } = await roundTrip('WIRE001', ['CT0012', '胸部CT平扫']);
    assert.match(ack, /MSA\|AA\|WIRE001/);
    const c = obr4.split('^');
    assert.equal(c[0], CHEST_CT_PLAIN);
    assert.ok(c[1] && c[1].includes('CT胸部(平扫)'), `display written into OBR-4.2: ${c[1]}`);
    assert.equal(c[2], '99RIMAG');
    assert.deepEqual(c.slice(3, 6), ['CT0012', '胸部CT平扫', 'L']);
  });

  test('a billing line is not rewritten (policy pass) and is listed as unmapped', async () => {
    const { obr4 } = await roundTrip('WIRE002', ['FY0001', 'CT胶片']);
    assert.equal(obr4, 'FY0001^CT胶片^L');
    const res = await fetch(`${http}/admin/hl7/unmapped`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    const list = (await res.json()) as Array<{ code: string }>;
    assert.ok(list.some((u) => u.code === 'FY0001'), JSON.stringify(list));
  });

  test("the sender's learned ConceptMap wins over the matcher, with the display filled from the exam items", async () => {
    // A reviewer's decision written to the same store (as another process would); start() sees it through store.watch.
    const { createStore } = await import('../../src/store/index.js');
    const other = await createStore({ dataDir });
    try {
      await new LearnedMappings(other.resources).record({ sender: 'LEARN^NCDYFY', name: '胸部CT平扫', localCode: 'CT0099', targets: [{ code: UPPER_ABDOMEN_CT_PLAIN }], reviewer: 'tester' });
    } finally {
      await other.close();
    }
    // Until the watch delivers the map the matcher answers; poll by round trips until the learned answer shows.
    let obr4 = '';
    for (let i = 0; i < 100 && !obr4.startsWith(UPPER_ABDOMEN_CT_PLAIN); i++) {
      ({ obr4 } = await roundTrip(`WIRE1${String(i).padStart(2, '0')}`, ['CT0099', '胸部CT平扫'], 'LEARN'));
      if (!obr4.startsWith(UPPER_ABDOMEN_CT_PLAIN)) await new Promise((r) => setTimeout(r, 50));
    }
    const c = obr4.split('^');
    assert.equal(c[0], UPPER_ABDOMEN_CT_PLAIN);
    assert.ok(c[1] && c[1].includes('CT上腹部(平扫)'), `display must not be empty: ${obr4}`);
  });

  test('a learned ultrasound mapping is written with the US item\'s display and OBR-4.3 99RIMAG-US', async () => {
    const { createStore } = await import('../../src/store/index.js');
    const other = await createStore({ dataDir });
    try {
      // No display stored: the gateway must fill it from the us-exam-item CodeSystem.
      await new LearnedMappings(other.resources).record({ sender: 'LEARNUS^NCDYFY', name: '颈前区检查', localCode: 'US0042', targets: [{ code: THYROID_US, system: US_SYSTEM }], reviewer: 'tester' });
    } finally {
      await other.close();
    }
    let obr4 = '';
    for (let i = 0; i < 100 && !obr4.startsWith(THYROID_US); i++) {
      ({ obr4 } = await roundTrip(`WIREUS${String(i).padStart(2, '0')}`, ['US0042', '颈前区检查'], 'LEARNUS'));
      if (!obr4.startsWith(THYROID_US)) await new Promise((r) => setTimeout(r, 50));
    }
    const c = obr4.split('^');
    assert.equal(c[0], THYROID_US, obr4);
    assert.equal(c[1], '*甲状腺常规超声检查');
    assert.equal(c[2], '99RIMAG-US');
    assert.deepEqual(c.slice(3, 6), ['US0042', '颈前区检查', 'L']);
  });

  test('GET /fhir/admin/hl7/stats reports the counters (admin token required)', async () => {
    const denied = await fetch(`${http}/admin/hl7/stats`);
    assert.equal(denied.status, 401);
    const res = await fetch(`${http}/admin/hl7/stats`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    const stats = (await res.json()) as Record<string, unknown> & { listeners: Array<{ name: string }>; routes: Array<{ route: string }> };
    for (const k of ['received', 'rewritten', 'unmapped', 'forwarded', 'queueDepth']) assert.equal(typeof stats[k], 'number', `counter ${k}`);
    assert.ok((stats.received as number) >= 3 && (stats.rewritten as number) >= 2 && (stats.unmapped as number) >= 1, JSON.stringify(stats));
    assert.equal(stats.listeners[0]?.name, 'default');
    assert.equal(stats.routes[0]?.route, 'default');
  });
});

describe('HL7 configuration errors at start()', () => {
  const config = () => {
    const c = defaultConfig();
    c.http.host = '127.0.0.1';
    c.http.port = 0;
    c.terminology.loadFhirCore = false;
    return c;
  };

  test('MLLP_PORT without a route fails fast with the key named', async () => {
    const c = config();
    c.store.dataDir = mkdtempSync(join(tmpdir(), 'main-hl7-cfg-'));
    try {
      await assert.rejects(start(c, silentLogger, { env: { MLLP_PORT: '0' } }), (err: Error) => {
        assert.equal(err.name, 'ConfigError');
        assert.match(err.message, /MLLP_DOWNSTREAM/);
        return true;
      });
    } finally {
      rmSync(c.store.dataDir, { recursive: true, force: true });
    }
  });

  test('an MLLP port already taken rejects start() and leaves the store closed for the next start', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    const c = config();
    c.store.dataDir = mkdtempSync(join(tmpdir(), 'main-hl7-busy-'));
    try {
      await assert.rejects(start(c, silentLogger, { env: { MLLP_PORT: String(port), MLLP_HOST: '127.0.0.1', MLLP_DOWNSTREAM: '127.0.0.1:9' } }), /EADDRINUSE/);
      const again = await start(c, silentLogger, { env: {} });
      await again.stop();
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
      rmSync(c.store.dataDir, { recursive: true, force: true });
    }
  });
});
