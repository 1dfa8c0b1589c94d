import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { field, frame, orm, RawSender, sample, segments, waitFor } from './helpers.js';
import { startFixture } from './gateway-fixture.js';
import { MemoryJournal } from './memory-journal.js';

const text = (b: Buffer) => b.toString('utf8');
const msa = (ack: Buffer, charset = 'utf8') => segments(iconv.decode(ack, charset)).find((s) => s.startsWith('MSA'))!.split('|');

test('UTF-8 ORM^O01: AA after the journal write, OBR-4 rewritten downstream, other segments byte-identical', async () => {
  const f = await startFixture();
  try {
    const s = await RawSender.connect(f.port);
    const payload = sample('orm-o01-utf8.hl7');
    s.write(frame(payload));
    const [ack] = await s.replies(1);
    const [, code, controlId] = msa(ack);
    assert.equal(code, 'CA', 'MSH-15=AL asks for an enhanced-mode commit ACK');
    assert.equal(controlId, 'MSG00001');
    const ackMsh = segments(text(ack))[0];
    assert.equal(field(ackMsh, 9), 'ACK^O01^ACK');
    assert.equal(field(ackMsh, 3), 'RIS');
    assert.equal(field(ackMsh, 5), 'HIS');
    assert.notEqual(field(ackMsh, 10), 'MSG00001');
    assert.equal(field(ackMsh, 18), 'UNICODE UTF-8');
    await waitFor(() => f.downstream.received.length === 1, 10_000, 'delivery');
    const out = segments(text(f.downstream.received[0]));
    const inn = segments(text(payload));
    assert.equal(out.length, inn.length);
    for (let i = 0; i < inn.length; i++) {
      if (inn[i].startsWith('OBR')) assert.equal(field(out[i], 4), '20050101110000^CT胸部(平扫)^99RIMAG^CT0012^胸部CT平扫^L');
      else assert.equal(out[i], inn[i]);
    }
    await waitFor(async () => (await f.gateway.stats()).forwarded === 1);
    const stats = await f.gateway.stats();
    assert.equal(stats.received, 1);
    assert.equal(stats.rewritten, 1);
    assert.equal(stats.queueDepth, 0);
    s.close();
  } finally {
    await f.stop();
  }
});

test('GB18030 with 珅 (trail byte 0x7C): round trip intact, ACK in GB18030, optional UTF-8 output rewrites MSH-18', async () => {
  for (const outCharset of ['same', 'utf-8'] as const) {
    const f = await startFixture({ route: { charset: outCharset } });
    try {
      const s = await RawSender.connect(f.port);
      const payload = sample('orm-o01-gb18030.hl7');
      s.write(frame(payload));
      const [ack] = await s.replies(1);
      assert.equal(msa(ack, 'gb18030')[2], 'MSG00001');
      await waitFor(() => f.downstream.received.length === 1);
      const got = f.downstream.received[0];
      const decoded = iconv.decode(got, outCharset === 'same' ? 'gb18030' : 'utf8');
      const pid = segments(decoded).find((x) => x.startsWith('PID'))!;
      assert.equal(field(pid, 5), '王^小珅');
      assert.equal(field(pid, 7), '19900505');
      const obr = segments(decoded).find((x) => x.startsWith('OBR'))!;
      assert.equal(field(obr, 4), '30030201000000^MR头颅平扫+DWI^99RIMAG^MR0203^头颅MRI平扫+DWI^L');
      const msh = segments(decoded)[0];
      assert.equal(field(msh, 18), outCharset === 'same' ? 'GB 18030-2000' : 'UNICODE UTF-8');
      if (outCharset === 'same') {
        // Untouched segments are byte-identical in the original charset.
        const inSegs = payload.toString('latin1').split('\r');
        const outSegs = got.toString('latin1').split('\r');
        for (let i = 0; i < inSegs.length; i++) if (!inSegs[i].startsWith('OBR')) assert.equal(outSegs[i], inSegs[i]);
      }
      s.close();
    } finally {
      await f.stop();
    }
  }
});

test('split frames, pipelined frames and several connections: every message ACKed once on its own connection and delivered once', async () => {
  const f = await startFixture();
  try {
    const senders = await Promise.all([0, 1, 2].map(() => RawSender.connect(f.port)));
    // Connection 0: one frame cut into 1-byte writes; connection 1: five frames in one write; connection 2: frames split mid-character.
    const one = frame(orm('C0-1'));
    for (const b of one) senders[0].write(Buffer.from([b]));
    senders[1].write(Buffer.concat([1, 2, 3, 4, 5].map((i) => frame(orm(`C1-${i}`)))));
    const two = Buffer.concat([frame(orm('C2-1', { obrs: [['CT0012', '胸部CT平扫'], ['CT0101', '头颅CT平扫']] })), frame(orm('C2-2'))]);
    const cut = two.indexOf(Buffer.from('胸')) + 1;
    senders[2].write(two.subarray(0, cut));
    await new Promise((r) => setTimeout(r, 30));
    senders[2].write(two.subarray(cut));
    const acks = await Promise.all([senders[0].replies(1), senders[1].replies(5), senders[2].replies(2)]);
    assert.deepEqual(acks[0].map((a) => msa(a)[2]), ['C0-1']);
    assert.deepEqual(acks[1].map((a) => msa(a)[2]), ['C1-1', 'C1-2', 'C1-3', 'C1-4', 'C1-5']);
    assert.deepEqual(acks[2].map((a) => msa(a)[2]), ['C2-1', 'C2-2']);
    assert.ok([...acks[0], ...acks[1], ...acks[2]].every((a) => msa(a)[1] === 'AA'));
    const ackIds = [...acks[0], ...acks[1], ...acks[2]].map((a) => field(segments(text(a))[0], 10));
    assert.equal(new Set(ackIds).size, ackIds.length, 'ACK MSH-10 values are unique');
    await waitFor(() => f.downstream.received.length === 8);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(f.downstream.received.length, 8, 'nothing delivered twice');
    const ids = f.downstream.controlIds();
    assert.deepEqual(ids.filter((i) => i.startsWith('C1')), ['C1-1', 'C1-2', 'C1-3', 'C1-4', 'C1-5'], 'order of one connection kept');
    const multi = segments(text(f.downstream.received[ids.indexOf('C2-1')])).filter((s) => s.startsWith('OBR'));
    assert.deepEqual(multi.map((s) => field(s, 4).split('^')[0]), ['20050101110000', '20010101110000']);
    senders.forEach((s) => s.close());
  } finally {
    await f.stop();
  }
});

test('escapes in the local text and other fields survive; rewritten values are escaped', async () => {
  const f = await startFixture();
  f.resolver.table['ESC\\1'] = { code: '20050101110000', display: 'A|B^C' };
  try {
    const s = await RawSender.connect(f.port);
    const msg = 'MSH|^~\\&|HIS|H|RIS|R|2026||ORM^O01|E1|P|2.5\rPID|1||P1||A\\S\\B~C\\T\\D\rNTE|1||x\\F\\y\\E\\z\rORC|NW|1\rOBR|1|1||ESC\\E\\1^T\\F\\X^L\r';
    s.write(frame(msg));
    await s.replies(1);
    await waitFor(() => f.downstream.received.length === 1);
    const out = segments(text(f.downstream.received[0]));
    assert.equal(out[1], 'PID|1||P1||A\\S\\B~C\\T\\D');
    assert.equal(out[2], 'NTE|1||x\\F\\y\\E\\z');
    assert.equal(field(out[4], 4), '20050101110000^A\\F\\B\\S\\C^99RIMAG^ESC\\E\\1^T\\F\\X^L');
    assert.equal(f.resolver.queries[0].code, 'ESC\\1');
    assert.equal(f.resolver.queries[0].text, 'T|X');
    s.close();
  } finally {
    await f.stop();
  }
});

test('malformed input never breaks the connection: garbage, no MSH, unknown version, missing MSH-10, an ACK, then a valid message', async () => {
  const f = await startFixture({ listener: { passThroughOtherTypes: false } });
  try {
    const s = await RawSender.connect(f.port);
    s.write('random bytes outside any frame\r\n');
    s.write(frame('this is not HL7 at all'));
    s.write(frame('PID|1||x\r'));
    s.write(frame(orm('V1', { version: '2.3.2' })));
    s.write(frame(orm('', {})));
    s.write(frame('MSH|^~\\&|HIS|H|RIS|R|2026||ADT^A01|T1|P|2.4\rPID|1\r'));
    s.write(frame(orm('O1', { version: '2.4' }).replace('ORM^O01', 'OMI^O23')));
    s.write(frame('MSH|^~\\&|HIS|H|RIS|R|2026||ACK^O01|K1|P|2.4\rMSA|AA|X\r'));
    s.write(frame(orm('OK1')));
    const acks = await s.replies(7);
    const rows = acks.map((a) => ({ code: msa(a)[1], id: msa(a)[2], err: segments(text(a)).find((x) => x.startsWith('ERR')) ?? '' }));
    assert.deepEqual(rows[0], { code: 'AE', id: '', err: rows[0].err });
    assert.match(rows[0].err, /100/);
    assert.equal(rows[1].code, 'AE');
    assert.deepEqual([rows[2].code, rows[2].id], ['AR', 'V1']);
    assert.match(rows[2].err, /203/);
    assert.deepEqual([rows[3].code, rows[3].id], ['AE', '']);
    assert.match(rows[3].err, /101/);
    assert.deepEqual([rows[4].code, rows[4].id], ['AR', 'T1']);
    assert.match(rows[4].err, /200/);
    assert.deepEqual([rows[5].code, rows[5].id], ['AR', 'O1'], 'OMI^O23 needs 2.5+');
    assert.deepEqual([rows[6].code, rows[6].id], ['AA', 'OK1'], 'the ACK was not answered and the next message works');
    await waitFor(() => f.downstream.received.length === 1);
    assert.deepEqual(f.downstream.controlIds(), ['OK1']);
    s.close();
  } finally {
    await f.stop();
  }
});

test('oversize frames: NAK when MSH is readable, connection closed when not', async () => {
  const f = await startFixture({ listener: { maxFrameBytes: 2048 } });
  try {
    const s = await RawSender.connect(f.port);
    s.write(frame(orm('BIG1') + 'NTE|1||' + 'x'.repeat(5000) + '\r'));
    s.write(frame(orm('AFTER')));
    const acks = await s.replies(2);
    assert.deepEqual([msa(acks[0])[1], msa(acks[0])[2]], ['AR', 'BIG1']);
    assert.match(text(acks[0]), /maximum frame size/);
    assert.deepEqual([msa(acks[1])[1], msa(acks[1])[2]], ['AA', 'AFTER']);
    const t = await RawSender.connect(f.port);
    t.write(frame('y'.repeat(5000)));
    await t.replies(1, 5000);
    assert.equal(t.closed, true);
    assert.equal(t.collector.frames.length, 0);
    s.close();
  } finally {
    await f.stop();
  }
});

test('duplicates (same MSH-3, MSH-4, MSH-10) are ACKed but forwarded once', async () => {
  const f = await startFixture();
  try {
    const s = await RawSender.connect(f.port);
    const t = await RawSender.connect(f.port);
    s.write(frame(orm('D1')));
    t.write(frame(orm('D1')));
    const [[first], [second]] = await Promise.all([s.replies(1), t.replies(1)]);
    s.write(frame(orm('D1')));
    s.write(frame(orm('D1', { sender: 'OTHER' })));
    const acks = await s.replies(3);
    assert.ok(acks.every((a) => msa(a)[1] === 'AA'));
    // A duplicate gets the original's ACK again (same MSH-10 and MSH-7), not a fresh one.
    assert.equal(second!.toString('utf8'), first!.toString('utf8'), 'the concurrent copy');
    assert.equal(acks[1]!.toString('utf8'), first!.toString('utf8'), 'the later resend');
    assert.notEqual(acks[2]!.toString('utf8'), first!.toString('utf8'), 'another sender is another message');
    await waitFor(() => f.downstream.received.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(f.downstream.received.length, 2);
    assert.equal((await f.gateway.stats()).duplicates, 2);
    s.close();
    t.close();
  } finally {
    await f.stop();
  }
});

test('unmapped policies: pass forwards unchanged, reject answers AE with ERR 103, hold keeps it until release', async () => {
  const pass = await startFixture();
  try {
    const s = await RawSender.connect(pass.port);
    s.write(frame(orm('U1', { obrs: [['NOPE1', '奇怪的检查']] })));
    assert.equal(msa((await s.replies(1))[0])[1], 'AA');
    await waitFor(() => pass.downstream.received.length === 1);
    assert.equal(field(segments(text(pass.downstream.received[0]))[3], 4), 'NOPE1^奇怪的检查^L');
    const list = pass.gateway.admin.unmapped();
    assert.deepEqual(list.map((u) => [u.code, u.text, u.sender, u.count]), [['NOPE1', '奇怪的检查', 'HIS^NCDYFY', 1]]);
    s.close();
  } finally {
    await pass.stop();
  }
  const rej = await startFixture({ listener: { unmappedPolicy: 'reject', rejectAck: 'AE' } });
  try {
    const s = await RawSender.connect(rej.port);
    s.write(frame(orm('U2', { obrs: [['CT0012', '胸'], ['NOPE2', '怪']] })));
    const [ack] = await s.replies(1);
    assert.deepEqual(msa(ack).slice(1, 3), ['AE', 'U2']);
    // v2.4: ERR-1 (ELD) and the explanation in MSA-3.
    assert.equal(segments(text(ack)).find((x) => x.startsWith('ERR')), 'ERR|OBR^2^4^103&Table value not found&HL70357');
    assert.match(msa(ack)[3], /NOPE2/);
    // v2.5: ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8 explanation.
    s.write(frame(orm('U2b', { version: '2.5', obrs: [['NOPE2', '怪']] })));
    const [, ack25] = await s.replies(2);
    const err25 = segments(text(ack25)).find((x) => x.startsWith('ERR'))!.split('|');
    assert.deepEqual(err25.slice(0, 5), ['ERR', '', 'OBR^1^4^1', '103^Table value not found^HL70357', 'E']);
    assert.match(err25[8], /NOPE2/);
    assert.equal(msa(ack25).length, 3, 'no MSA-3 from 2.5 on');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rej.downstream.received.length, 0);
    s.close();
  } finally {
    await rej.stop();
  }
  const hold = await startFixture({ listener: { unmappedPolicy: 'hold' } });
  try {
    const s = await RawSender.connect(hold.port);
    s.write(frame(orm('U3', { obrs: [['NOPE3', '新检查']] })));
    assert.equal(msa((await s.replies(1))[0])[1], 'AA');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hold.downstream.received.length, 0);
    const held = await hold.gateway.admin.list({ state: 'held' });
    assert.equal(held.length, 1);
    assert.equal((await hold.gateway.stats()).heldNow, 1);
    hold.resolver.table.NOPE3 = { code: '20050101110000', display: 'CT胸部(平扫)' }; // the map was fixed meanwhile
    const released = await hold.gateway.admin.release({ id: held[0].id });
    assert.deepEqual(released, [{ id: held[0].id, stillUnmapped: 0 }]);
    await waitFor(() => hold.downstream.received.length === 1);
    assert.equal(field(segments(text(hold.downstream.received[0]))[3], 4), '20050101110000^CT胸部(平扫)^99RIMAG^NOPE3^新检查^L');
    s.close();
  } finally {
    await hold.stop();
  }
});

test('downstream AE is retried, AR is dead-lettered with its reason, and replay re-sends a dead message', async () => {
  const f = await startFixture();
  try {
    let aeLeft = 2;
    f.downstream.respond = (p) => {
      const id = field(p.toString('latin1').split('\r')[0], 10);
      if (id === 'R1' && aeLeft-- > 0) return 'AE';
      if (id === 'R2') return 'AR';
      return 'AA';
    };
    const s = await RawSender.connect(f.port);
    s.write(Buffer.concat([frame(orm('R1')), frame(orm('R2')), frame(orm('R3'))]));
    await s.replies(3);
    await waitFor(() => f.downstream.controlIds().filter((i) => i === 'R3').length === 1);
    assert.deepEqual(f.downstream.controlIds(), ['R1', 'R1', 'R1', 'R2', 'R3']);
    const dead = await f.gateway.admin.list({ state: 'dead' });
    assert.equal(dead.length, 1);
    assert.equal(dead[0].controlId, 'R2');
    assert.match(dead[0].lastError ?? '', /AR/);
    const stats = await f.gateway.stats();
    assert.equal(stats.retried, 2);
    assert.equal(stats.deadLettered, 1);
    f.downstream.respond = () => 'AA';
    assert.deepEqual(await f.gateway.admin.replay({ id: dead[0].id }), [dead[0].id]);
    await waitFor(() => f.downstream.received.length === 6);
    assert.equal(f.downstream.controlIds()[5], 'R2');
    s.close();
  } finally {
    await f.stop();
  }
});

test('ACK timeout closes the connection and retries; a late ACK for an old message is never matched to another', async () => {
  const f = await startFixture({ route: { ackTimeoutMs: 300 } });
  try {
    let first = true;
    f.downstream.respond = () => {
      if (first) {
        first = false;
        return 'silent';
      }
      return 'AA';
    };
    const s = await RawSender.connect(f.port);
    s.write(frame(orm('T1')));
    s.write(frame(orm('T2')));
    await s.replies(2);
    await waitFor(() => f.downstream.controlIds().includes('T2'));
    assert.deepEqual(f.downstream.controlIds(), ['T1', 'T1', 'T2']);
    s.close();
  } finally {
    await f.stop();
  }
});

test('synchronous mode: the upstream ACK waits for the downstream and relays a rejection', async () => {
  const f = await startFixture({ route: { mode: 'synchronous' } });
  try {
    f.downstream.respond = (p) => (p.toString('latin1').includes('|S2|') ? 'AR' : 'AA');
    const s = await RawSender.connect(f.port);
    s.write(frame(orm('S1')));
    const [a1] = await s.replies(1);
    assert.equal(msa(a1)[1], 'AA');
    assert.equal(f.downstream.received.length, 1, 'delivered before the upstream ACK');
    s.write(frame(orm('S2')));
    const [, a2] = await s.replies(2);
    assert.deepEqual(msa(a2).slice(1, 3), ['AR', 'S2']);
    s.close();
  } finally {
    await f.stop();
  }
});

test('enhanced mode: MSH-15=AL gives CA; MSH-15=NE with MSH-16=AL gives an application ACK; NE/NE gives none', async () => {
  const f = await startFixture();
  try {
    const s = await RawSender.connect(f.port);
    s.write(frame(orm('E1', { msh15: 'AL', msh16: 'NE' })));
    s.write(frame(orm('E2', { msh15: 'NE', msh16: 'AL' })));
    s.write(frame(orm('E3', { msh15: 'NE', msh16: 'NE' })));
    s.write(frame(orm('E4', { msh15: 'ER', msh16: 'NE', version: '9.9' })));
    const acks = await s.replies(3);
    assert.deepEqual(acks.map((a) => msa(a).slice(1, 3)), [['CA', 'E1'], ['AA', 'E2'], ['CR', 'E4']]);
    s.close();
  } finally {
    await f.stop();
  }
});

test('journal failure: the sender gets AR (resend later), nothing is forwarded, the connection keeps working', async () => {
  const journal = new MemoryJournal();
  const f = await startFixture({ journal });
  try {
    journal.failAppends = new Error('disk full');
    const s = await RawSender.connect(f.port);
    s.write(frame(orm('J1')));
    const [a] = await s.replies(1);
    assert.deepEqual(msa(a).slice(1, 3), ['AR', 'J1']);
    journal.failAppends = undefined;
    s.write(frame(orm('J1')));
    const [, b] = await s.replies(2);
    assert.deepEqual(msa(b).slice(1, 3), ['AA', 'J1'], 'the resend is not mistaken for a duplicate');
    await waitFor(() => f.downstream.received.length === 1);
    s.close();
  } finally {
    await f.stop();
  }
});

test('OMI^O23 v2.5 sample: OBR rewritten, TQ1 and IPC untouched', async () => {
  const f = await startFixture();
  try {
    const s = await RawSender.connect(f.port);
    s.write(frame(sample('omi-o23-utf8.hl7')));
    const [ack] = await s.replies(1);
    assert.deepEqual(msa(ack).slice(1, 3), ['CA', 'MSG00002']);
    await waitFor(() => f.downstream.received.length === 1);
    const out = segments(text(f.downstream.received[0]));
    const inn = segments(text(sample('omi-o23-utf8.hl7')));
    assert.equal(field(out.find((x) => x.startsWith('OBR'))!, 4), '40050101000000^DR胸部正位^99RIMAG^DR1001^左膝关节正侧位^L');
    for (const id of ['TQ1', 'IPC', 'PID', 'MSH']) assert.equal(out.find((x) => x.startsWith(id)), inn.find((x) => x.startsWith(id)));
    s.close();
  } finally {
    await f.stop();
  }
});

test('a journal write failing after a delivery does not stop the forwarder (the message is re-sent)', async () => {
  const journal = new MemoryJournal();
  const original = journal.markDelivered.bind(journal);
  let failures = 1;
  journal.markDelivered = async (id: number) => {
    if (failures-- > 0) throw new Error('database is locked');
    return original(id);
  };
  const f = await startFixture({ journal });
  try {
    const s = await RawSender.connect(f.port);
    s.write(Buffer.concat([frame(orm('W1')), frame(orm('W2'))]));
    await s.replies(2);
    await waitFor(() => f.downstream.controlIds().includes('W2'));
    assert.deepEqual(f.downstream.controlIds(), ['W1', 'W1', 'W2']);
    await waitFor(async () => (await f.gateway.stats()).queueDepth === 0);
    s.close();
  } finally {
    await f.stop();
  }
});

test('a copy racing its original\'s journal commit is not ACKed AA unless the original is stored', async () => {
  const journal = new MemoryJournal();
  const f = await startFixture({ journal });
  try {
    let release!: () => void;
    journal.gate = new Promise<void>((r) => (release = r));
    journal.failAppends = new Error('disk full');
    const s = await RawSender.connect(f.port);
    const t = await RawSender.connect(f.port);
    s.write(frame(orm('R1')));
    await new Promise((r) => setTimeout(r, 100)); // the original is now inside its (held) commit
    t.write(frame(orm('R1')));
    await new Promise((r) => setTimeout(r, 100));
    journal.gate = undefined;
    release();
    const [[a], [b]] = await Promise.all([s.replies(1), t.replies(1)]);
    assert.deepEqual(msa(a).slice(1, 3), ['AR', 'R1']);
    assert.equal(msa(b)[1], 'AR', 'the copy must not be acknowledged for a message the journal does not hold');
    assert.equal(journal.entries.size, 0);

    journal.failAppends = undefined;
    journal.gate = new Promise<void>((r) => (release = r));
    s.write(frame(orm('R2')));
    await new Promise((r) => setTimeout(r, 100));
    t.write(frame(orm('R2')));
    await new Promise((r) => setTimeout(r, 100));
    journal.gate = undefined;
    release();
    const [[, c], [, d]] = await Promise.all([s.replies(2), t.replies(2)]);
    assert.deepEqual([msa(c)[1], msa(d)[1]], ['AA', 'AA'], 'once the original is stored the copy is a duplicate');
    await waitFor(() => f.downstream.received.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(f.downstream.received.length, 1, 'forwarded once');
    s.close();
    t.close();
  } finally {
    await f.stop();
  }
});
