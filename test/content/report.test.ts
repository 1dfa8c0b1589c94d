/** The build reports every known source error with file, row and reason (nothing silently dropped). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshBuild } from './helpers.js';
import { buildContent } from '../../src/standard/build/index.js';
import { join } from 'node:path';
import { root } from './helpers.js';

function find(kind: string, file: string, code: string) {
  return freshBuild().report.entries.find((e) => e.kind === kind && e.file === file && e.code === code);
}

test('known source errors are reported with row and reason', () => {
  const l2 = find('correction', 'items-v3.8.2.tsv', '45081102X10000');
  assert.ok(l2 && l2.line === 1364 && /0731/.test(l2.reason), 'level-2 mismatch');
  const m10 = find('rejection', 'scan-methods.tsv', 'XR-M10');
  assert.ok(m10 && m10.line === 74 && /3 characters/.test(m10.reason));
  assert.ok(find('warning', 'scan-methods.tsv', 'XR-M8'), 'duplicated M8 row');
  assert.ok(find('correction', 'scan-methods.tsv', 'MR-7e')?.reason.includes('波谱'));
  assert.ok(find('correction', 'body-parts.tsv', '073200')?.reason.includes('错'));
  assert.equal(freshBuild().report.entries.filter((e) => e.file === 'us-items-v1.1.tsv' && e.kind === 'correction').length, 9);
  assert.equal(freshBuild().report.entries.filter((e) => e.file === 'chuanyu-hr-items.tsv').length, 3, 'MRI category rows');
});

test('every rejection names a row or says the whole file', () => {
  for (const e of freshBuild().report.entries) {
    assert.ok(e.file.length > 0 && Number.isInteger(e.line) && e.reason.length > 10, JSON.stringify(e));
  }
});

test('CANONICAL_BASE changes every url and nothing else', () => {
  const other = buildContent({ tablesDir: join(root, 'standard-tables'), base: 'https://example.org/fhir' });
  const a = freshBuild().files.map((f) => JSON.stringify(f.resource));
  const b = other.files.map((f) => JSON.stringify(f.resource).replaceAll('https://example.org/fhir', 'https://bzh.rimagcloud.com/fhir'));
  assert.deepEqual(b, a);
  assert.ok(other.files.every((f) => f.resource.url!.startsWith('https://example.org/fhir/')));
});
