/**
 * OBR-4.3 per code system (src/hl7/rewrite.ts `codingSystemIdOf`, config `extensionCodingSystemIds`): a code of the
 * ultrasound/PET/SPECT extension is written with its own coding-system id, never the exam-item one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/config.js';
import { DEFAULT_EXTENSION_CODING_SYSTEM_IDS, parseHl7Config } from '../../src/hl7/config.js';
import { Hl7Message } from '../../src/hl7/message.js';
import { createOrderCodeResolver } from '../../src/hl7/resolver.js';
import { codingSystemIdOf, rewriteOrderCodes } from '../../src/hl7/rewrite.js';
import { createDefaultMatcher } from '../../src/matching/load.js';
import { REPO_ROOT } from '../../src/config.js';

const BASE = 'https://bzh.rimagcloud.com/fhir/CodeSystem';
const matcher = createDefaultMatcher(REPO_ROOT);
const resolver = createOrderCodeResolver({ matcher, standardSystem: `${BASE}/exam-item` });
const options = { resolver, sender: 'HIS^H', codingSystemId: '99RIMAG', localCodePlacement: 'OBR-4.4' as const, zSegmentId: 'ZLC' };
const order = (...obr4: string[]) => Hl7Message.parse(['MSH|^~\\&|HIS|H|RIS|R|2026||ORM^O01|1|P|2.4', ...obr4.flatMap((f, i) => [`ORC|NW|${i + 1}`, `OBR|${i + 1}|X${i}||${f}`])].join('\r') + '\r');

test('codingSystemIdOf: extension systems get their own id, exam-item (and anything else) the route id', () => {
  assert.equal(codingSystemIdOf(`${BASE}/us-exam-item`, options), DEFAULT_EXTENSION_CODING_SYSTEM_IDS.us);
  assert.equal(codingSystemIdOf(`${BASE}/pet-exam-item`, options), '99RIMAG-PET');
  assert.equal(codingSystemIdOf(`${BASE}/spect-exam-item`, options), '99RIMAG-SPECT');
  assert.equal(codingSystemIdOf(`${BASE}/exam-item`, options), '99RIMAG');
  assert.equal(codingSystemIdOf(`${BASE}/us-exam-item`, { ...options, extensionCodingSystemIds: { us: 'US-LOCAL', pet: 'P', spect: 'S' } }), 'US-LOCAL');
});

test('an ultrasound and a CT order: OBR-4.1 the matched code, OBR-4.3 the id of its code system; a second pass leaves both alone', async () => {
  const msg = order('US01^甲状腺彩超^L', 'CT01^胸部CT平扫^L', 'NM01^全身骨显像(ECT)^L');
  const result = await rewriteOrderCodes(msg, options);
  assert.equal(result.changed, true);
  assert.equal(msg.fieldRaw(2, 4), '50U101000C0000^*甲状腺常规超声检查^99RIMAG-US^US01^甲状腺彩超^L');
  assert.equal(msg.fieldRaw(4, 4).split('^').slice(0, 3).join('^'), `20040100110000^${msg.valueAt(4, 4, 2)}^99RIMAG`);
  assert.equal(msg.fieldRaw(6, 4).split('^').slice(0, 3).join('^'), 'C010A104B0000^* SPECT全身骨显像^99RIMAG-SPECT');
  const again = await rewriteOrderCodes(msg, options);
  assert.equal(again.changed, false);
  assert.deepEqual(again.outcomes.map((o) => o.result.kind), ['already-standard', 'already-standard', 'already-standard']);
});

test('config: extensionCodingSystemIds per route, defaults kept for keys not given, unknown keys refused', () => {
  const c = parseHl7Config({ listeners: [{ name: 'l', port: 1, route: 'r' }], routes: [{ name: 'r', host: 'h', port: 2, extensionCodingSystemIds: { us: 'RIMAGUS' } }] }, {})!;
  assert.deepEqual(c.routes[0]?.extensionCodingSystemIds, { us: 'RIMAGUS', pet: '99RIMAG-PET', spect: '99RIMAG-SPECT' });
  assert.throws(() => parseHl7Config({ listeners: [{ name: 'l', port: 1, route: 'r' }], routes: [{ name: 'r', host: 'h', port: 2, extensionCodingSystemIds: { ct: 'X' } }] }, {}), ConfigError);
});
