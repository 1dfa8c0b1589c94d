import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitExamCode, joinExamCode, parseInstitutionExtension, neutralCodeOf, bodyPartCodes } from '../../src/standard/exam-code.js';
import { analyseExamCode, deviceSpecificDisplay } from '../../src/standard/exam-code-analysis.js';
import { indexFromCodeSystems } from '../../src/standard/exam-code-index.js';
import { codeSystem } from '../content/helpers.js';

const index = indexFromCodeSystems({
  examItem: codeSystem('exam-item-V3.8.2'),
  deviceType: codeSystem('device-type'),
  bodyPart: codeSystem('body-part'),
  scanMethod: codeSystem('scan-method'),
  postProcessing: codeSystem('post-processing'),
  xrayPosition: codeSystem('xray-position'),
  additionalCode: codeSystem('additional-code'),
});

test('splits a code into 7 segments and joins it back', () => {
  const s = splitExamCode('44040803M13700')!;
  assert.deepEqual(s, { deviceType: '44', bodyPartL1: '04', bodyPartL2: '08', bodyPartL3: '03', scanMethod: 'M1', postOrPosition: '37', additionalCode: '00' });
  assert.equal(joinExamCode(s), '44040803M13700');
  assert.deepEqual(bodyPartCodes(s), { l1: '04', l2: '0408', l3: '040803' });
  assert.equal(splitExamCode('2001010011000'), undefined);
  assert.equal(splitExamCode('20010100 10000'), undefined);
});

test('published items are recognised, case-sensitively', () => {
  assert.deepEqual(analyseExamCode('20010100110000', index), { kind: 'item', code: '20010100110000', display: '* CT颅脑(平扫)' });
  const upper = analyseExamCode('309999997A0000', index);
  assert.equal(upper.kind, 'invalid');
  assert.equal(upper.kind === 'invalid' && upper.issues[0]!.segment, 'scanMethod');
});

test('device-specific codes: neutral code and the display built the standard way', () => {
  const a = analyseExamCode('22072201221100', index);
  assert.equal(a.kind, 'device-specific');
  if (a.kind !== 'device-specific') return;
  assert.equal(a.neutralCode, '20072201221100');
  assert.equal(a.display, '16排CT左膝关节(平扫+增强+三维重建)');
  assert.equal(a.deviceName, '16排CT');
  const mr = analyseExamCode('33050101230000', index);
  assert.equal(mr.kind === 'device-specific' && mr.display, '3.0TMR肝脏动态对比增强(DCE-MRI)');
  const cr = analyseExamCode('43030202000100', index);
  assert.equal(cr.kind === 'device-specific' && cr.display, 'CR颈椎正位');
  assert.deepEqual(neutralCodeOf('25010100110000'), { neutralCode: '20010100110000', neutralDeviceType: '20' });
  assert.ok('error' in neutralCodeOf('44040803M13700') && /device type/.test((neutralCodeOf('44040803M13700') as { error: string }).error));
  assert.equal(deviceSpecificDisplay('* MR颅脑(平扫)', '30', '1.5TMR'), '1.5TMR颅脑(平扫)');
  assert.equal(deviceSpecificDisplay('颅脑(平扫)', '30', '1.5TMR'), undefined);
});

test('a device-specific code whose neutral item does not exist names the device-type segment', () => {
  const a = analyseExamCode('22072201331100', index);
  assert.equal(a.kind, 'invalid');
  if (a.kind !== 'invalid') return;
  assert.equal(a.issues[0]!.segment, 'deviceType');
  assert.match(a.message, /20072201331100 does not exist/);
  assert.ok(a.suggestions.length > 0 && a.suggestions.every((s) => s.startsWith('20072201')));
});

test('device types without device-specific variants (42 mobile DR, 44, 45) are not derived', () => {
  const a = analyseExamCode('42030202003700', index);
  assert.equal(a.kind, 'invalid');
  assert.match((a as { message: string }).message, /form no item/);
});

test('invalid codes are explained: length, characters, each segment with its dictionary', () => {
  const short = analyseExamCode('2001010011000', index);
  assert.match((short as { message: string }).message, /wrong length: 13 characters/);
  const chars = analyseExamCode('2001010011000*', index);
  assert.match((chars as { message: string }).message, /letters and digits/);
  const cases: Array<[string, string, string]> = [
    ['26010100110000', 'deviceType', 'device-type'],
    ['50010100110000', 'deviceType', 'device-type'],
    ['20100100110000', 'bodyPartL1', 'body-part'],
    ['20019900110000', 'bodyPartL2', 'body-part'],
    ['20010199110000', 'bodyPartL3', 'body-part'],
    ['20010100990000', 'scanMethod', 'scan-method'],
    ['20010100119900', 'postOrPosition', 'post-processing'],
    ['40030202009900', 'postOrPosition', 'xray-position'],
    ['20010100110099', 'additionalCode', 'additional-code'],
  ];
  for (const [code, segment, dictionary] of cases) {
    const a = analyseExamCode(code, index);
    assert.equal(a.kind, 'invalid', code);
    if (a.kind !== 'invalid') continue;
    assert.equal(a.issues[0]!.segment, segment, code);
    assert.equal(a.issues[0]!.dictionary, dictionary, code);
    assert.ok(a.message.includes(code), code);
  }
  const mrScanOnCt = analyseExamCode('20010100520000', index);
  assert.match((mrScanOnCt as { message: string }).message, /not a CT scan method \(it is a MR scan method\)/);
});

test('valid segments that form no item', () => {
  const a = analyseExamCode('20010100120000', index);
  assert.equal(a.kind, 'invalid');
  if (a.kind !== 'invalid') return;
  assert.match(a.message, /every segment is valid but together they form no item/);
  assert.ok(a.suggestions.some((s) => s.startsWith('20010100110000')));
});

test('institution extensions <code>-<suffix> (§7) refine a base item', () => {
  assert.deepEqual(parseInstitutionExtension('20030202110000-x'), { base: '20030202110000', suffix: 'x' });
  assert.deepEqual(parseInstitutionExtension('20030202110000-C1-C3'), { base: '20030202110000', suffix: 'C1-C3' });
  assert.equal(parseInstitutionExtension('20030202110000-'), undefined);
  assert.equal(parseInstitutionExtension('2003020211000-x'), undefined);
  const a = analyseExamCode('30010100110000-癫痫序列', index);
  assert.equal(a.kind, 'extension');
  assert.equal(a.kind === 'extension' && a.base.kind, 'item');
  const onDevice = analyseExamCode('33010100110000-DTI', index);
  assert.equal(onDevice.kind === 'extension' && onDevice.base.kind, 'device-specific');
  const bad = analyseExamCode('20010199110000-x', index);
  assert.equal(bad.kind, 'invalid');
  assert.match((bad as { message: string }).message, /itself invalid.*body part level 3/);
});

test('device-specific names from neutral names written without *', () => {
  assert.equal(deviceSpecificDisplay('CT颅脑(平扫)', '20', '双源CT'), '双源CT颅脑(平扫)');
  assert.equal(deviceSpecificDisplay('* DR胸部正位', '40', 'CR'), 'CR胸部正位');
});
