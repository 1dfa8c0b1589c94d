import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config.js';
import { DEFAULT_CODING_SYSTEM_ID, parseHl7Config } from '../../src/hl7/config.js';

test('no listener configured: the gateway is off', () => {
  assert.equal(parseHl7Config(undefined, {}), undefined);
});

test('MLLP_PORT + MLLP_DOWNSTREAM give a default listener and route with the documented defaults', () => {
  const c = parseHl7Config(undefined, { MLLP_PORT: '2575', MLLP_DOWNSTREAM: 'ris.local:6661', MLLP_HOST: '127.0.0.1' })!;
  assert.equal(c.listeners.length, 1);
  const [l] = c.listeners;
  assert.deepEqual([l.name, l.host, l.port, l.route, l.charset, l.unmappedPolicy], ['default', '127.0.0.1', 2575, 'default', 'auto', 'pass']);
  const [r] = c.routes;
  assert.deepEqual([r.host, r.port, r.mode, r.charset, r.localCodePlacement, r.codingSystemId], ['ris.local', 6661, 'store-and-forward', 'same', 'OBR-4.4', DEFAULT_CODING_SYSTEM_ID]);
});

test('a full config file section parses; env overrides the default listener port', () => {
  const c = parseHl7Config(
    {
      duplicateWindowMs: 600000,
      listeners: [
        { name: 'default', port: 2575, route: 'default' },
        { name: 'his-b', port: 2576, route: 'pacs', charset: 'GBK', unmappedPolicy: 'hold', senderKey: 'MSH-4', passThroughOtherTypes: false, maxFrameBytes: 65536, idleTimeoutMs: 0 },
      ],
      routes: [
        { name: 'default', host: 'a', port: 1 },
        { name: 'pacs', host: 'b', port: 2, charset: 'utf-8', mode: 'synchronous', localCodePlacement: 'Z', zSegmentId: 'ZXX', codingSystemId: 'RIMAG', retry: { initialMs: 100, maxMs: 1000, maxAttempts: 5 } },
      ],
    },
    { MLLP_PORT: '3000' },
  )!;
  assert.equal(c.listeners[0].port, 3000);
  assert.equal(c.listeners[1].charset, 'gbk');
  assert.equal(c.routes[1].retry.maxAttempts, 5);
  assert.equal(c.duplicateWindowMs, 600000);
});

test('bad values fail fast naming the key', () => {
  const bad: Array<[unknown, Record<string, string>, RegExp]> = [
    [{ listeners: [{ name: 'x', port: 1, route: 'nope' }] }, {}, /hl7\.listeners\[0\]\.route/],
    [{ listeners: [{ name: 'x', port: 1, route: 'r', charset: 'big5' }], routes: [{ name: 'r', host: 'h', port: 1 }] }, {}, /hl7\.listeners\[0\]\.charset/],
    [{ routes: [{ name: 'r', host: 'h', port: 1, mode: 'fast' }] }, {}, /hl7\.routes\[0\]\.mode/],
    [{ routes: [{ name: 'r', host: 'h', port: 1, zSegmentId: 'ABC' }] }, {}, /zSegmentId/],
    [{ listener: [] }, {}, /hl7\.listener: unknown key/],
    [undefined, { MLLP_PORT: '2575' }, /MLLP_DOWNSTREAM/],
    [undefined, { MLLP_PORT: '2575', MLLP_DOWNSTREAM: 'nohost' }, /MLLP_DOWNSTREAM/],
    [undefined, { MLLP_PORT: 'abc', MLLP_DOWNSTREAM: 'h:1' }, /MLLP_PORT/],
    [{ listeners: [{ name: 'x', port: 1, route: 'r', tls: { cert: 'c' } }], routes: [{ name: 'r', host: 'h', port: 1 }] }, {}, /tls/],
  ];
  for (const [section, env, re] of bad) {
    assert.throws(() => parseHl7Config(section, env), (err: Error) => err instanceof ConfigError && re.test(err.message), JSON.stringify(section) + JSON.stringify(env));
  }
});
