/**
 * The bench harness's own correctness (not speed): the bare baseline serves exactly the bytes it
 * was given, the CPU/RSS probes read /proc, the name generator is repeatable, and the doc table
 * is replaced between its markers only.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cpuMs, median, percentile, rssMiB } from '../../bench/lib/machine.js';
import { messyNames } from '../../bench/lib/names.js';
import { startBareServer, type RunningServer } from '../../bench/lib/processes.js';
import { updateDocTable, type BenchReport } from '../../bench/lib/report.js';

describe('bare node:http baseline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-harness-'));
  const body = JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'display', valueString: '* CT颅脑(平扫)' }] });
  let bare: RunningServer;
  before(async () => {
    const file = join(dir, 'responses.json');
    writeFileSync(file, JSON.stringify([{ method: 'GET', url: '/fhir/CodeSystem/$lookup?code=1', status: 200, contentType: 'application/fhir+json; charset=utf-8', body }]));
    bare = await startBareServer(file, join(dir, 'bare.log'));
  });
  after(async () => {
    await bare?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('answers a known URL with the exact bytes, status and content type', async () => {
    const res = await fetch(`${bare.origin}/fhir/CodeSystem/$lookup?code=1`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/fhir+json; charset=utf-8');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.length, Buffer.byteLength(body));
    assert.equal(bytes.toString('utf8'), body);
  });

  test('answers any other URL with 404', async () => {
    const res = await fetch(`${bare.origin}/fhir/CodeSystem/$lookup?code=2`);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  });

  test('its CPU time and RSS can be read from /proc', () => {
    const cpu = cpuMs(bare.pid);
    const rss = rssMiB(bare.pid);
    assert.ok(cpu !== undefined && cpu >= 0, `cpu ${cpu}`);
    assert.ok(rss !== undefined && rss > 1, `rss ${rss}`);
  });
});

test('messy names are repeatable and vary', () => {
  const a = messyNames(3000);
  assert.deepEqual(messyNames(3000), a);
  assert.notDeepEqual(messyNames(3000, 7), a);
  assert.ok(new Set(a).size > 1367, 'variants beyond the 1367 standard names');
  assert.ok(a.every((n) => n.trim().length > 0));
});

test('median and percentile', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10);
});

test('updateDocTable replaces only the text between the markers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-doc-'));
  const doc = join(dir, 'bench.md');
  writeFileSync(doc, 'before\n<!-- bench:latest:start -->\nold\n<!-- bench:latest:end -->\nafter\n');
  const report: BenchReport = {
    machine: { date: '2026-01-01T00:00:00Z', nproc: 2, cpuModel: 'cpu', memoryGiB: 1, node: 'v20', platform: 'linux-x64', loadAvgAtStart: 0 },
    settings: { rounds: 1 },
    rows: [{ section: 's', metric: 'm', measured: '1 ms', target: '≤ 2 ms', met: true }],
    notes: [],
    raw: {},
  };
  assert.equal(updateDocTable(report, doc), true);
  const text = readFileSync(doc, 'utf8');
  assert.match(text, /^before\n<!-- bench:latest:start -->\n/);
  assert.match(text, /\| s \| m \| 1 ms \| ≤ 2 ms \| met \|/);
  assert.doesNotMatch(text, /\nold\n/);
  assert.match(text, /<!-- bench:latest:end -->\nafter\n$/);
  rmSync(dir, { recursive: true, force: true });
});
