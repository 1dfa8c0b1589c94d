/** npm run import:release on a small synthetic release (xlsx with Chinese headers, csv with English ones). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import XLSX from 'xlsx';
import type { CodeSystem } from 'fhir/r4';
import { importRelease, readReleaseTable } from '../../src/standard/build/release.js';
import { DEFAULT_CANONICAL_BASE } from '../../src/standard/canonical.js';
import { committed, root } from '../content/helpers.js';

const HEADERS = ['模态', '一级编码', '一级部位', '二级编码', '二级部位', '三级编码', '三级部位', '项目编码', '项目标准名', '扫描编码', '扫描方式', '后处理编码', '后处理', '版本号'];

/** One row in the xlsx column order; 一级编码 as a number, the way Excel stores "01". */
function row(code: string, name: string, modality = 'CT'): Array<string | number> {
  return [modality, Number(code.slice(2, 4)), '', code.slice(2, 6), '', code.slice(2, 8), '', code, name, code.slice(8, 10), '', code.slice(10, 12), '', 'V9.0'];
}

const RELEASE = [
  row('20010100110000', '* CT颅脑(平扫)'), // unchanged
  row('20010100111100', '* CT颅脑(平扫+三维重建+MPR)'), // renamed
  row('20010100120000', '* CT颅脑(低剂量扫描)'), // added
  row('20010200120000', '* CT颅底(平扫)'), // re-coded: was 20010200110000
  row('20010100990000', '* CT颅脑(未知扫描)'), // invalid scan method → rejected
];

function writeXlsx(dir: string): string {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([HEADERS, ...RELEASE]), '汇总');
  const path = join(dir, 'release.xlsx');
  writeFileSync(path, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
  return path;
}

test('reads Chinese headers from xlsx and pads codes Excel turned into numbers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'release-'));
  try {
    const t = readReleaseTable(writeXlsx(dir));
    assert.ok(t.header.includes('code') && t.header.includes('level1_code'));
    assert.equal(t.rows.length, 5);
    assert.equal(t.rows[0]!.values.level1_code, '1');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('imports a new version with the same url and reports added, removed, renamed, re-coded and rejected rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'release-'));
  try {
    const previous = committed<CodeSystem>('codesystems/exam-item-V3.8.2.json');
    const r = importRelease({ inPath: writeXlsx(dir), version: 'V9.0', previous, tablesDir: join(root, 'standard-tables'), base: DEFAULT_CANONICAL_BASE });
    assert.equal(r.id, 'exam-item-V9.0');
    assert.equal(r.codeSystem.url, previous.url);
    assert.equal(r.codeSystem.version, 'V9.0');
    assert.equal(r.codeSystem.concept!.length, 4);
    assert.deepEqual(r.diff.added.map((a) => a.code).sort(), ['20010100120000', '20010200120000']);
    assert.deepEqual(r.diff.renamed, [{ code: '20010100111100', from: '* CT颅脑(平扫+三维重建)', to: '* CT颅脑(平扫+三维重建+MPR)' }]);
    assert.deepEqual(r.diff.recoded, [{ from: '20010200110000', to: '20010200120000', display: '* CT颅底(平扫)' }]);
    assert.equal(r.diff.removed.length, 1365);
    const rejected = r.report.entries.filter((e) => e.kind === 'rejection');
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]!.line, 6);
    assert.match(rejected[0]!.reason, /scan method 99/);
    assert.match(r.text, /added 2, removed 1365, renamed 1, re-coded \(same name, new code\) 1/);
    const bp = r.codeSystem.concept![0]!.property!.find((p) => p.code === 'bodyPartL1');
    assert.equal(bp?.valueCode, '01');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('refuses a release without the code columns, and a version equal to the previous one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'release-'));
  try {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, '模态,名称\nCT,颅脑\n');
    assert.throws(() => readReleaseTable(path), /missing columns code, name/);
    const previous = committed<CodeSystem>('codesystems/exam-item-V3.8.2.json');
    assert.throws(() => importRelease({ inPath: writeXlsx(dir), version: 'V3.8.2', previous, tablesDir: join(root, 'standard-tables'), base: DEFAULT_CANONICAL_BASE }), /previous version/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('the CLI writes the new version beside the old one and the report (CSV with English headers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'release-'));
  try {
    mkdirSync(join(dir, 'codesystems'));
    copyFileSync(join(root, 'codesystems', 'exam-item-V3.8.2.json'), join(dir, 'codesystems', 'exam-item-V3.8.2.json'));
    const csv = ['modality,code,name,version', 'MR,30010100110000,* MR颅脑(平扫),V9.1', 'MR,30010100210000,* MR颅脑(增强扫描),V9.1'].join('\n');
    writeFileSync(join(dir, 'r.csv'), csv);
    const out = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'import-release.ts'), '--in', join(dir, 'r.csv'), '--version', 'V9.1', '--root', dir], { cwd: root, encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /added 0, removed 1365, renamed 1/);
    assert.ok(existsSync(join(dir, 'codesystems', 'exam-item-V3.8.2.json')));
    const cs = JSON.parse(readFileSync(join(dir, 'codesystems', 'exam-item-V9.1.json'), 'utf8')) as CodeSystem;
    assert.deepEqual([cs.id, cs.version, cs.concept!.length], ['exam-item-V9.1', 'V9.1', 2]);
    assert.match(readFileSync(join(dir, 'docs', 'releases', 'exam-item-V3.8.2-to-V9.1.md'), 'utf8'), /MR颅脑\(增强扫描\)/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
