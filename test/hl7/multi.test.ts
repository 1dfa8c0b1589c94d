import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { silentLogger } from '../../src/logger.js';
import { Hl7Gateway } from '../../src/hl7/gateway.js';
import { defaultListener, defaultRoute } from '../../src/hl7/config.js';
import { Downstream, field, frame, orm, RawSender, segments, TableResolver, waitFor } from './helpers.js';
import { MemoryJournal } from './memory-journal.js';
import { STANDARD } from './gateway-fixture.js';

test('several listeners and routes with their own charsets, policies and placements', async () => {
  const d1 = new Downstream();
  const d2 = new Downstream();
  const [p1, p2] = [await d1.start(), await d2.start()];
  const gateway = new Hl7Gateway({
    config: {
      listeners: [
        { ...defaultListener('a', 0, 'r1'), host: '127.0.0.1' },
        { ...defaultListener('b', 0, 'r2'), host: '127.0.0.1', charset: 'gbk', unmappedPolicy: 'reject', senderKey: 'MSH-4' },
      ],
      routes: [
        { ...defaultRoute('r1', '127.0.0.1', p1), retry: { initialMs: 50, maxMs: 200, maxAttempts: 0 } },
        { ...defaultRoute('r2', '127.0.0.1', p2), charset: 'utf-8', localCodePlacement: 'Z', codingSystemId: 'RIMAG', retry: { initialMs: 50, maxMs: 200, maxAttempts: 0 } },
      ],
      duplicateWindowMs: 60_000,
    },
    journal: new MemoryJournal(),
    resolver: new TableResolver({ ...STANDARD }),
    logger: silentLogger,
  });
  await gateway.start();
  try {
    const a = await RawSender.connect(gateway.port('a'));
    const b = await RawSender.connect(gateway.port('b'));
    a.write(frame(orm('M1')));
    // Listener b: GBK bytes without MSH-18 (the interface override says gbk), name with 珅.
    b.write(frame(iconv.encode(orm('M1', { extraPid: '和^珅' }), 'gbk')));
    b.write(frame(iconv.encode(orm('M2', { obrs: [['NOPE', '未知']] }), 'gbk')));
    const [ackA] = await a.replies(1);
    const acksB = await b.replies(2);
    assert.match(ackA.toString('utf8'), /MSA\|AA\|M1/);
    assert.match(iconv.decode(acksB[0], 'gbk'), /MSA\|AA\|M1/, 'same MSH-10 from another listener/sender key is not a duplicate here');
    assert.match(iconv.decode(acksB[1], 'gbk'), /MSA\|AE\|M2/);
    await waitFor(() => d1.received.length === 1 && d2.received.length === 1);
    const out1 = segments(d1.received[0].toString('utf8'));
    assert.equal(field(out1.find((s) => s.startsWith('OBR'))!, 4), '20050101110000^CT胸部(平扫)^99RIMAG^CT0012^胸部CT平扫^L');
    const out2 = segments(d2.received[0].toString('utf8'));
    assert.equal(field(out2.find((s) => s.startsWith('PID'))!, 5), '和^珅', 'GBK in, UTF-8 out');
    assert.deepEqual(out2.map((s) => s.slice(0, 3)), ['MSH', 'PID', 'ORC', 'OBR', 'ZLC']);
    assert.equal(field(out2[3], 4), '20050101110000^CT胸部(平扫)^RIMAG');
    assert.equal(out2[4], 'ZLC|1|CT0012^胸部CT平扫^L');
    const stats = await gateway.stats();
    assert.deepEqual(stats.listeners.map((l) => l.name), ['a', 'b']);
    assert.equal(stats.rejected, 1);
    a.close();
    b.close();
  } finally {
    await gateway.stop();
    await d1.stop();
    await d2.stop();
  }
});
