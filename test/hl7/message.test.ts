import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseCharset, decode, encode, sniffMsh18 } from '../../src/hl7/charset.js';
import { escapeValue, unescapeValue } from '../../src/hl7/escape.js';
import { Hl7Message } from '../../src/hl7/message.js';
import { rewriteOrderCodes } from '../../src/hl7/rewrite.js';
import { sample, TableResolver } from './helpers.js';

const resolver = () => new TableResolver({ MR0203: { code: '30030201000000', display: 'MR头颅平扫+DWI' }, CT0101: { code: '20010101110000', display: 'CT头颅(平扫)' }, CT0012: { code: '20050101110000', display: 'CT胸部(平扫)' } });
const opts = (r = resolver()) => ({ resolver: r, sender: 'HIS^NCDYFY', codingSystemId: '99RIMAG', localCodePlacement: 'OBR-4.4' as const, zSegmentId: 'ZLC' });

test('GB18030 sample: MSH-18 chooses the charset, 珅 survives and does not split PID-5', () => {
  const bytes = sample('orm-o01-gb18030.hl7');
  assert.equal(sniffMsh18(bytes), 'GB 18030-2000');
  const choice = chooseCharset(bytes);
  assert.deepEqual(choice, { charset: 'gb18030', source: 'msh-18' });
  const msg = Hl7Message.parse(decode(bytes, choice.charset));
  assert.equal(msg.get('PID-5.2'), '小珅');
  assert.equal(msg.get('PID-7'), '19900505');
  assert.ok(encode(msg.toString(), 'gb18030').equals(bytes), 'decode + encode is the identity');
});

test('charset defaults: UTF-8 when valid, else GB 18030; an override wins', () => {
  const utf = sample('orm-o01-two-orders-noMSH18.hl7');
  assert.deepEqual(chooseCharset(utf), { charset: 'utf-8', source: 'utf-8-valid' });
  const gb = encode(decode(utf, 'utf-8'), 'gb18030');
  assert.deepEqual(chooseCharset(gb), { charset: 'gb18030', source: 'fallback' });
  assert.deepEqual(chooseCharset(gb, 'gbk'), { charset: 'gbk', source: 'override' });
  const mislabelled = encode(decode(sample('orm-o01-utf8.hl7'), 'utf-8'), 'gb18030');
  assert.deepEqual(chooseCharset(mislabelled), { charset: 'gb18030', source: 'fallback' }, 'MSH-18 UTF-8 on bytes that are not UTF-8 is ignored');
  assert.equal(Hl7Message.parse(decode(mislabelled, 'gb18030')).get('PID-5.1'), '张');
});

test('escapes: decoded on read, applied on write, other sequences kept', () => {
  assert.equal(unescapeValue('A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\X0D\\'), 'A|B^C&D~E\\X0D\\');
  assert.equal(unescapeValue('a\\X0D\\b\\H\\c\\Cxxyy\\'), 'a\\X0D\\b\\H\\c\\Cxxyy\\');
  assert.equal(escapeValue('A|B^C&D~E\\F'), 'A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\F');
  assert.equal(unescapeValue(escapeValue('x|^&~\\y')), 'x|^&~\\y');
});

test('rewrite of two OBR groups: OBR-4 rebuilt, every other segment byte-identical', async () => {
  const bytes = sample('orm-o01-two-orders-noMSH18.hl7');
  const text = decode(bytes, 'utf-8');
  const msg = Hl7Message.parse(text);
  const result = await rewriteOrderCodes(msg, opts());
  assert.equal(result.changed, true);
  assert.equal(result.outcomes.filter((o) => o.result.kind === 'mapped').length, 1);
  assert.equal(result.outcomes.filter((o) => o.result.kind === 'unmapped').length, 1);
  const before = text.split('\r');
  const after = msg.toString().split('\r');
  assert.equal(after.length, before.length);
  for (let i = 0; i < before.length; i++) {
    if (before[i].startsWith('OBR|1|')) assert.equal(after[i].split('|')[4], '20010101110000^CT头颅(平扫)^99RIMAG^CT0101^头颅CT平扫^L');
    else assert.equal(after[i], before[i], `segment ${i} untouched`);
  }
  // Only field 4 of the rewritten OBR changed.
  const i1 = before.findIndex((s) => s.startsWith('OBR|1|'));
  const b = before[i1].split('|');
  const a = after[i1].split('|');
  assert.equal(a.length, b.length);
  for (let f = 0; f < b.length; f++) if (f !== 4) assert.equal(a[f], b[f]);
});

test('rewrite escapes new values and keeps the local triplet raw', async () => {
  const msg = Hl7Message.parse('MSH|^~\\&|HIS|H|RIS|R|2026||ORM^O01|1|P|2.4\rOBR|1|X||LOC\\S\\1^A\\T\\B^L\r');
  const r = new TableResolver({ 'LOC^1': { code: 'S|1', display: 'D^&~\\x' } });
  await rewriteOrderCodes(msg, { ...opts(r) });
  assert.equal(msg.fieldRaw(1, 4), 'S\\F\\1^D\\S\\\\T\\\\R\\\\E\\x^99RIMAG^LOC\\S\\1^A\\T\\B^L');
  assert.equal(msg.valueAt(1, 4, 2), 'D^&~\\x');
  assert.equal(r.queries[0].code, 'LOC^1');
  assert.equal(r.queries[0].text, 'A&B');
});

test('placements: OBR-44 and Z segment; rewrite is idempotent on a second pass', async () => {
  const text = 'MSH|^~\\&|HIS|H|RIS|R|2026||ORM^O01|1|P|2.4\rORC|NW|1\rOBR|1|X||CT0012^胸部^L|||x\rORC|NW|2\rOBR|2|Y||CT0101^头^L\r';
  const m44 = Hl7Message.parse(text);
  await rewriteOrderCodes(m44, { ...opts(), localCodePlacement: 'OBR-44' });
  assert.equal(m44.fieldRaw(2, 4), '20050101110000^CT胸部(平扫)^99RIMAG');
  assert.equal(m44.fieldRaw(2, 44), 'CT0012^胸部^L');
  assert.equal(m44.fieldRaw(2, 7), 'x');
  const mz = Hl7Message.parse(text);
  await rewriteOrderCodes(mz, { ...opts(), localCodePlacement: 'Z' });
  assert.deepEqual(mz.segmentIds(), ['MSH', 'ORC', 'OBR', 'ZLC', 'ORC', 'OBR', 'ZLC']);
  assert.equal(mz.segments[3], 'ZLC|1|CT0012^胸部^L');
  assert.equal(mz.segments[6], 'ZLC|2|CT0101^头^L');
  const once = Hl7Message.parse(text);
  await rewriteOrderCodes(once, opts());
  const first = once.toString();
  const again = Hl7Message.parse(first);
  const r2 = await rewriteOrderCodes(again, opts());
  assert.equal(r2.changed, false);
  assert.equal(again.toString(), first);
  assert.ok(r2.outcomes.every((o) => o.result.kind === 'already-standard'));
});

test('CRLF and LF terminators are kept; a missing final terminator stays missing', () => {
  for (const t of ['MSH|^~\\&|A\r\nPID|1\r\n', 'MSH|^~\\&|A\nPID|1\n', 'MSH|^~\\&|A\rPID|1']) {
    assert.equal(Hl7Message.parse(t).toString(), t);
  }
});

test('a message without MSH is refused by the parser', () => {
  assert.throws(() => Hl7Message.parse('PID|1||x\r'), /MSH/);
  assert.throws(() => Hl7Message.parse('hello world'), /MSH/);
});
