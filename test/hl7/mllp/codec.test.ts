import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MllpDecoder, encodeFrame, type DecoderEvent } from '../../../src/hl7/mllp/codec.js';

const frames = (events: DecoderEvent[]) => events.filter((e) => e.kind === 'frame').map((e) => (e as { payload: Buffer }).payload.toString('utf8'));

test('a frame split at every possible byte position decodes to the same payload', () => {
  const payload = 'MSH|^~\\&|A|B\rPID|1||王\x1cX\r';
  const wire = encodeFrame(Buffer.from(payload, 'utf8'));
  for (let cut = 0; cut <= wire.length; cut++) {
    const d = new MllpDecoder({ maxFrameBytes: 1000 });
    const got = [...frames(d.push(wire.subarray(0, cut))), ...frames(d.push(wire.subarray(cut)))];
    assert.deepEqual(got, [payload], `cut at ${cut}`);
  }
});

test('pipelined frames in one chunk, with garbage between them, come out in order', () => {
  const d = new MllpDecoder({ maxFrameBytes: 1000 });
  const wire = Buffer.concat([Buffer.from('junk\r\n'), encodeFrame(Buffer.from('MSH|1')), Buffer.from('\n\n'), encodeFrame(Buffer.from('MSH|2')), encodeFrame(Buffer.from('MSH|3'))]);
  const events = d.push(wire);
  assert.deepEqual(frames(events), ['MSH|1', 'MSH|2', 'MSH|3']);
  assert.equal(events.filter((e) => e.kind === 'garbage').reduce((n, e) => n + (e as { bytes: number }).bytes, 0), 8);
});

test('byte-by-byte feeding of three frames', () => {
  const d = new MllpDecoder({ maxFrameBytes: 1000 });
  const wire = Buffer.concat(['a', 'bb', 'ccc'].map((s) => encodeFrame(Buffer.from(s))));
  const out: string[] = [];
  for (const b of wire) out.push(...frames(d.push(Buffer.from([b]))));
  assert.deepEqual(out, ['a', 'bb', 'ccc']);
});

test('a VT inside an unfinished frame drops the partial frame and starts a new one', () => {
  const d = new MllpDecoder({ maxFrameBytes: 1000 });
  const events = d.push(Buffer.concat([Buffer.from('\x0bMSH|broken'), encodeFrame(Buffer.from('MSH|ok'))]));
  assert.deepEqual(frames(events), ['MSH|ok']);
  assert.ok(events.some((e) => e.kind === 'garbage'));
});

test('an oversize frame is reported once with its head, skipped, and the next frame still decodes', () => {
  const d = new MllpDecoder({ maxFrameBytes: 64, headBytes: 16 });
  const big = encodeFrame(Buffer.from('MSH|^~\\&|' + 'x'.repeat(200)));
  const events = [...d.push(big.subarray(0, 50)), ...d.push(big.subarray(50)), ...d.push(encodeFrame(Buffer.from('MSH|next')))];
  const over = events.filter((e) => e.kind === 'oversize');
  assert.equal(over.length, 1);
  assert.equal((over[0] as { head: Buffer }).head.toString(), 'MSH|^~\\&|xxxxxxx');
  assert.deepEqual(frames(events), ['MSH|next']);
});

test('an oversize frame whose FS CR sits right at the limit does not swallow the next frame', () => {
  const d = new MllpDecoder({ maxFrameBytes: 10 });
  const events = d.push(Buffer.concat([encodeFrame(Buffer.from('0123456789AB')), encodeFrame(Buffer.from('MSH|n'))]));
  assert.equal(events.filter((e) => e.kind === 'oversize').length, 1);
  assert.deepEqual(frames(events), ['MSH|n']);
});

test('a GB18030 payload is framed on bytes (trail byte 0x7C is not special to framing)', () => {
  const bytes = Buffer.from([0x4d, 0x53, 0x48, 0x7c, 0xab, 0x7c, 0x0d]);
  const d = new MllpDecoder({ maxFrameBytes: 100 });
  const events = d.push(encodeFrame(bytes));
  assert.ok((events[0] as { payload: Buffer }).payload.equals(bytes));
});

test('lenient: FS without CR directly followed by the next frame still ends the frame', () => {
  const wire = Buffer.from('\x0bMSH|a\x1c\x0bMSH|b\x1c\r');
  for (let cut = 0; cut <= wire.length; cut++) {
    const d = new MllpDecoder({ maxFrameBytes: 100 });
    assert.deepEqual([...frames(d.push(wire.subarray(0, cut))), ...frames(d.push(wire.subarray(cut)))], ['MSH|a', 'MSH|b'], `cut at ${cut}`);
  }
});
