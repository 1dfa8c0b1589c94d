/**
 * The lean path (src/fhir/lean/): hot terminology GETs answered in front of Express must be
 * byte-identical to the Express path's answers (status, content type, body, X-Request-Id echo),
 * its response cache must serve repeated requests, and every registry change — a REST write here
 * or a write by another process seen through store.watch — must empty it. POSTed operations with a
 * Parameters body (the free-text $translate) must give the same bytes for success and every error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeSystem } from 'fhir/r4';
import { pino } from 'pino';
import { defaultConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { start, type RunningServer } from '../../src/main.js';
import { ResponseCache } from '../../src/fhir/lean/response-cache.js';
import { learnedMapId, senderCodeSystem } from '../../src/matching/learned.js';

const TOKEN = 'lean-token';
const EXAM = 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item';
const EXAM_VS = 'https://bzh.rimagcloud.com/fhir/ValueSet/exam-item-all';
const CHUANYU_MAP = 'https://bzh.rimagcloud.com/fhir/ConceptMap/chuanyu-to-exam-item';
const CHUANYU = 'https://bzh.rimagcloud.com/fhir/CodeSystem/chuanyu-mutual-recognition-item';
const MATCHER = 'https://bzh.rimagcloud.com/fhir/OperationDefinition/standardize';
const q = (params: Record<string, string>): string => new URLSearchParams(params).toString();

let dataDir: string;
let lean: RunningServer;
let expressOnly: RunningServer;
let leanBase: string;
let expressBase: string;
/** The lean server's log lines: the lean path marks its access-log lines with `lean: true`. */
const leanLog: string[] = [];
const MAX_BODY_BYTES = 64 * 1024;

const baseOf = (s: RunningServer): string => `http://127.0.0.1:${(s.server.address() as { port: number }).port}/fhir`;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lean-path-'));
  const config = (leanPath: boolean) => {
    const c = defaultConfig();
    c.http.host = '127.0.0.1';
    c.http.port = 0;
    c.http.leanPath = leanPath;
    c.http.maxBodyBytes = MAX_BODY_BYTES;
    c.store.dataDir = dataDir;
    c.store.pollIntervalMs = 100;
    c.adminToken = TOKEN;
    return c;
  };
  lean = await start(config(true), pino({ level: 'info' }, { write: (line: string) => { leanLog.push(line); } }), { env: {} });
  expressOnly = await start(config(false), silentLogger, { env: {} });
  leanBase = baseOf(lean);
  expressBase = baseOf(expressOnly);
});

after(async () => {
  await lean?.stop();
  await expressOnly?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  contentType: string | null;
  requestId: string | null;
  body: string;
  /** ETag and Last-Modified (reads), absent from POST answers. */
  etag?: string | null;
  lastModified?: string | null;
}

async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { headers });
  return {
    status: res.status, contentType: res.headers.get('content-type'), requestId: res.headers.get('x-request-id'), body: await res.text(),
    etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified'),
  };
}

/** $expand answers carry a fresh identifier and timestamp per expansion; everything else must match. */
function comparable(body: string): string {
  return body.replace(/"identifier":"urn:uuid:[0-9a-f-]+"/, '"identifier":"*"').replace(/"timestamp":"[^"]+"/, '"timestamp":"*"');
}

const REQUESTS: Array<{ name: string; path: string; headers?: Record<string, string> }> = [
  { name: '$lookup hit', path: `/CodeSystem/$lookup?${q({ system: EXAM, code: '20010100110000' })}` },
  { name: '$lookup unknown code', path: `/CodeSystem/$lookup?${q({ system: EXAM, code: '99999999999999' })}` },
  { name: '$lookup unknown system (404)', path: `/CodeSystem/$lookup?${q({ system: 'http://example.org/no-such-system', code: 'x' })}` },
  { name: '$lookup missing code (400)', path: `/CodeSystem/$lookup?${q({ system: EXAM })}` },
  { name: '$lookup with Accept-Language', path: `/CodeSystem/$lookup?${q({ system: EXAM, code: '20010100110000' })}`, headers: { 'Accept-Language': 'en' } },
  { name: 'CodeSystem/$validate-code true', path: `/CodeSystem/$validate-code?${q({ url: EXAM, code: '20010100110000', display: '* CT颅脑(平扫)' })}` },
  { name: 'CodeSystem/$validate-code wrong display (result=false)', path: `/CodeSystem/$validate-code?${q({ url: EXAM, code: '20010100110000', display: 'wrong' })}` },
  { name: 'CodeSystem/$validate-code bad code (result=false)', path: `/CodeSystem/$validate-code?${q({ url: EXAM, code: 'nope' })}` },
  { name: 'ValueSet/$validate-code', path: `/ValueSet/$validate-code?${q({ url: EXAM_VS, system: EXAM, code: '20010100110000' })}` },
  { name: 'ValueSet/$validate-code unknown value set', path: `/ValueSet/$validate-code?${q({ url: 'http://example.org/vs/none', system: EXAM, code: 'x' })}` },
  { name: '$expand filter', path: `/ValueSet/$expand?${q({ url: EXAM_VS, filter: '胸部' })}` },
  { name: '$expand unknown value set', path: `/ValueSet/$expand?${q({ url: 'http://example.org/vs/none' })}` },
  { name: '$subsumes', path: `/CodeSystem/$subsumes?${q({ system: EXAM, codeA: '20010100110000', codeB: '20010100110000' })}` },
  { name: '$translate without a map', path: `/ConceptMap/$translate?${q({ url: 'http://example.org/cm/none', system: EXAM, code: '20010100110000' })}` },
  { name: '$translate explicit map hit (cached)', path: `/ConceptMap/$translate?${q({ url: CHUANYU_MAP, system: CHUANYU, code: '1', targetsystem: EXAM })}` },
  { name: '$translate explicit map, code not mapped (cached)', path: `/ConceptMap/$translate?${q({ url: CHUANYU_MAP, system: CHUANYU, code: 'nope' })}` },
  { name: '$translate instance level (cached)', path: `/ConceptMap/chuanyu-to-exam-item/$translate?${q({ system: CHUANYU, code: '2' })}` },
  { name: '$translate url = the matcher (400, not cached)', path: `/ConceptMap/$translate?${q({ url: MATCHER, system: CHUANYU, code: '1' })}` },
  { name: '$translate no map named (not cached)', path: `/ConceptMap/$translate?${q({ system: CHUANYU, code: '1' })}` },
  { name: 'instance-level $lookup on an unknown id', path: `/CodeSystem/no-such-id/$lookup?${q({ code: 'x' })}` },
  { name: 'read', path: '/CodeSystem/modality' },
  { name: 'read unknown id (404)', path: '/CodeSystem/no-such-id' },
  { name: 'read with _summary', path: '/CodeSystem/modality?_summary=true' },
  { name: 'read with _elements', path: '/CodeSystem/modality?_elements=url,version' },
  { name: 'read with _format (ignored)', path: '/CodeSystem/modality?_format=json' },
  { name: 'read with Accept-Language', path: '/CodeSystem/modality', headers: { 'Accept-Language': 'en' } },
  { name: 'read of a ConceptMap', path: '/ConceptMap/chuanyu-to-exam-item' },
  { name: 'X-Request-Id echo', path: `/CodeSystem/$lookup?${q({ system: EXAM, code: '20010100110000' })}`, headers: { 'X-Request-Id': 'req-42' } },
  { name: 'X-TOO-COSTLY-THRESHOLD falls through to Express', path: `/ValueSet/$expand?${q({ url: EXAM_VS, filter: '胸部' })}`, headers: { 'X-TOO-COSTLY-THRESHOLD': '5' } },
  { name: 'If-None-Match falls through to Express', path: '/CodeSystem/modality', headers: { 'If-None-Match': 'W/"999"' } },
];

test('the lean path answers exactly what the Express path answers (twice: computed, then cached)', async () => {
  for (const r of REQUESTS) {
    const viaExpress = await get(expressBase, r.path, r.headers);
    for (const round of ['first', 'repeated']) {
      const viaLean = await get(leanBase, r.path, r.headers);
      const label = `${r.name} (${round})`;
      assert.equal(viaLean.status, viaExpress.status, label);
      assert.equal(viaLean.contentType, viaExpress.contentType, label);
      assert.equal(viaLean.requestId, viaExpress.requestId, label);
      assert.equal(comparable(viaLean.body), comparable(viaExpress.body), label);
      assert.equal(viaLean.etag, viaExpress.etag, label);
      assert.equal(viaLean.lastModified, viaExpress.lastModified, label);
    }
  }
  const statuses = new Set<number>();
  for (const r of REQUESTS) statuses.add((await get(leanBase, r.path, r.headers)).status);
  for (const s of [200, 400, 404]) assert.ok(statuses.has(s), `the table covers status ${s}`);
  assert.equal((await get(leanBase, REQUESTS.at(-2)!.path, { 'X-Request-Id': 'req-42' })).requestId, 'req-42');
});

test('repeated operation requests are served from the response cache (Express computes each anew)', async () => {
  const path = `/ValueSet/$expand?${q({ url: EXAM_VS, filter: '头颅' })}`;
  const ids = async (base: string) => [await get(base, path), await get(base, path)].map((a) => (JSON.parse(a.body) as { expansion: { identifier: string } }).expansion.identifier);
  const [l1, l2] = await ids(leanBase);
  assert.equal(l1, l2, 'the second lean answer is the cached first one');
  const [e1, e2] = await ids(expressBase);
  assert.notEqual(e1, e2, 'Express expands every time');
});

function codeSystem(display: string): CodeSystem {
  return {
    resourceType: 'CodeSystem', id: 'lean-cache-test', url: 'http://example.org/cs/lean-cache-test', version: '1',
    status: 'active', content: 'complete', concept: [{ code: 'a', display }],
  };
}

async function put(base: string, cs: CodeSystem): Promise<void> {
  const res = await fetch(`${base}/CodeSystem/${cs.id!}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/fhir+json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(cs),
  });
  assert.ok(res.status === 200 || res.status === 201, `PUT answered ${res.status}: ${await res.text()}`);
}

async function lookupDisplay(base: string): Promise<string | undefined> {
  const a = await get(base, `/CodeSystem/$lookup?${q({ system: 'http://example.org/cs/lean-cache-test', code: 'a' })}`);
  if (a.status !== 200) return `status ${a.status}`;
  return (JSON.parse(a.body) as { parameter: Array<{ name: string; valueString?: string }> }).parameter.find((p) => p.name === 'display')?.valueString;
}

test('a REST write empties the cache: $lookup, PUT a new version, $lookup gives the new answer', async () => {
  await put(leanBase, codeSystem('Alpha'));
  assert.equal(await lookupDisplay(leanBase), 'Alpha');
  assert.equal(await lookupDisplay(leanBase), 'Alpha'); // now cached
  await put(leanBase, codeSystem('Alpha two'));
  assert.equal(await lookupDisplay(leanBase), 'Alpha two');
});

test('a write by another process (store.watch) empties the cache too', async () => {
  await put(leanBase, codeSystem('Beta'));
  assert.equal(await lookupDisplay(leanBase), 'Beta');
  await put(expressBase, codeSystem('Gamma'));
  // store.watch polls every 100 ms here; wait for the change to arrive (no timing assertion).
  let seen: string | undefined;
  for (let i = 0; i < 100 && seen !== 'Gamma'; i++) {
    await new Promise((done) => setTimeout(done, 50));
    seen = await lookupDisplay(leanBase);
  }
  assert.equal(seen, 'Gamma');
});

test('a read is current at once after a write by another server on the same database (no wait for store.watch)', async () => {
  await put(leanBase, codeSystem('Read one'));
  assert.match((await get(leanBase, '/CodeSystem/lean-cache-test')).body, /Read one/);
  assert.match((await get(leanBase, '/CodeSystem/lean-cache-test')).body, /Read one/); // now cached
  await put(expressBase, codeSystem('Read two'));
  const viaLean = await get(leanBase, '/CodeSystem/lean-cache-test');
  assert.match(viaLean.body, /Read two/);
  assert.deepEqual(viaLean, await get(expressBase, '/CodeSystem/lean-cache-test'));
});

test("a learned map is a registry ConceptMap: a reviewer's decision empties the cache of a $translate naming it", async () => {
  const sender = 'LEAN^CACHE';
  const url = `https://bzh.rimagcloud.com/fhir/ConceptMap/${learnedMapId(sender)}`;
  const path = `/ConceptMap/$translate?${q({ url, system: senderCodeSystem(sender), code: 'LC1' })}`;
  assert.equal((await get(leanBase, path)).status, 404, 'no learned map yet');
  assert.equal((await get(leanBase, path)).status, 404); // kept: 404 is cacheable
  const review = await post(leanBase, '/ConceptMap/$review', parameters(
    { name: 'sender', valueString: sender }, { name: 'name', valueString: '胸部CT平扫' }, { name: 'localCode', valueString: 'LC1' }, { name: 'target', valueCode: '20040100110000' },
  ), { ...FHIR, Authorization: `Bearer ${TOKEN}` });
  assert.equal(review.status, 200, review.body);
  // The map reaches the registry through store.watch (polled every 100 ms here); no timing assertion.
  let answer = await get(leanBase, path);
  for (let i = 0; i < 100 && answer.status !== 200; i++) {
    await new Promise((done) => setTimeout(done, 50));
    answer = await get(leanBase, path);
  }
  assert.equal(answer.status, 200, answer.body);
  assert.match(answer.body, /20040100110000/);
  assert.equal(answer.body, (await get(expressBase, path)).body);
});

test('ResponseCache: bounded by entries and bytes (least recently used first), emptied by a newer generation', () => {
  const answer = (n: number) => ({ status: 200, headers: {}, body: Buffer.alloc(n) });
  const byCount = new ResponseCache({ maxEntries: 2, maxBytes: 1_000 });
  byCount.set('a', 0, answer(1));
  byCount.set('b', 0, answer(1));
  assert.ok(byCount.get('a', 0)); // a is now the most recently used
  byCount.set('c', 0, answer(1));
  assert.equal(byCount.get('b', 0), undefined, 'b was least recently used');
  assert.ok(byCount.get('a', 0) && byCount.get('c', 0));

  const byBytes = new ResponseCache({ maxEntries: 100, maxBytes: 100 });
  byBytes.set('x', 0, answer(60));
  byBytes.set('y', 0, answer(30));
  byBytes.set('z', 0, answer(30));
  assert.equal(byBytes.get('x', 0), undefined, 'x evicted to stay within 100 bytes');
  assert.equal(byBytes.size, 2);
  byBytes.set('huge', 0, answer(500));
  assert.equal(byBytes.get('huge', 0), undefined, 'an answer larger than the whole cache is not kept');

  assert.equal(byBytes.get('y', 1), undefined, 'a newer registry generation empties the cache');
  assert.equal(byBytes.size, 0);
  byBytes.set('old', 0, answer(1));
  assert.equal(byBytes.get('old', 1), undefined, 'an answer computed under an older generation is not kept');
});

async function post(base: string, path: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body });
  return { status: res.status, contentType: res.headers.get('content-type'), requestId: res.headers.get('x-request-id'), body: await res.text() };
}

/** How many access-log lines of the lean server say the lean path answered `path` with `status`. */
function leanAnswered(path: string, status: number): number {
  return leanLog.filter((line) => {
    const entry = JSON.parse(line) as { msg?: string; lean?: boolean; path?: string; status?: number; method?: string };
    return entry.msg === 'http' && entry.lean === true && entry.method === 'POST' && entry.path === path && entry.status === status;
  }).length;
}

const FHIR = { 'Content-Type': 'application/fhir+json' };
const parameters = (...parameter: unknown[]): string => JSON.stringify({ resourceType: 'Parameters', parameter });
const FREE_TEXT_BODY = parameters(
  { name: 'codeableConcept', valueCodeableConcept: { text: '64排CT平扫(胸部)' } },
  { name: 'targetsystem', valueUri: EXAM },
);

const POSTS: Array<{ name: string; path: string; body: string | Uint8Array; headers: Record<string, string>; status: number; viaLean: boolean }> = [
  { name: '$translate free text', path: '/ConceptMap/$translate', body: FREE_TEXT_BODY, headers: FHIR, status: 200, viaLean: true },
  { name: '$translate free text, application/json; fhirVersion=4.0; charset=UTF-8', path: '/ConceptMap/$translate', body: FREE_TEXT_BODY, headers: { 'Content-Type': 'application/json; fhirVersion=4.0;charset=UTF-8' }, status: 200, viaLean: true },
  { name: '$translate with a byte-order mark and X-Request-Id', path: '/ConceptMap/$translate', body: `\ufeff${FREE_TEXT_BODY}`, headers: { ...FHIR, 'X-Request-Id': 'post-7' }, status: 200, viaLean: true },
  // Extension matches (us-exam-item) and a target system that excludes them: the same bytes on both paths.
  { name: '$translate ultrasound free text', path: '/ConceptMap/$translate', body: parameters({ name: 'codeableConcept', valueCodeableConcept: { text: '甲状腺彩超' } }), headers: FHIR, status: 200, viaLean: true },
  { name: '$translate ultrasound free text, targetsystem exam-item (no match)', path: '/ConceptMap/$translate', body: parameters({ name: 'codeableConcept', valueCodeableConcept: { text: '甲状腺彩超' } }, { name: 'targetsystem', valueUri: EXAM }), headers: FHIR, status: 200, viaLean: true },
  { name: '$translate with query args appended', path: `/ConceptMap/$translate?${q({ targetsystem: EXAM })}`, body: parameters({ name: 'codeableConcept', valueCodeableConcept: { text: '胸部CT平扫' } }), headers: FHIR, status: 200, viaLean: true },
  { name: '$translate without a map (coding)', path: '/ConceptMap/$translate', body: parameters({ name: 'url', valueUri: 'http://example.org/cm/none' }, { name: 'coding', valueCoding: { system: EXAM, code: '20010100110000' } }), headers: FHIR, status: 404, viaLean: true },
  { name: 'POST $lookup', path: '/CodeSystem/$lookup', body: parameters({ name: 'system', valueUri: EXAM }, { name: 'code', valueCode: '20010100110000' }), headers: FHIR, status: 200, viaLean: true },
  { name: 'an empty body (Content-Length: 0): query args only', path: `/CodeSystem/$lookup?${q({ system: EXAM, code: '20010100110000' })}`, body: '', headers: FHIR, status: 200, viaLean: true },
  { name: 'an empty body and no parameters (400)', path: '/CodeSystem/$lookup', body: '', headers: FHIR, status: 400, viaLean: true },
  { name: 'malformed JSON (400)', path: '/ConceptMap/$translate', body: '{"resourceType": "Parameters",', headers: FHIR, status: 400, viaLean: true },
  { name: 'a JSON array (400)', path: '/ConceptMap/$translate', body: '[]', headers: FHIR, status: 400, viaLean: true },
  { name: 'wrong resourceType (400)', path: '/ConceptMap/$translate', body: JSON.stringify({ resourceType: 'Patient' }), headers: FHIR, status: 400, viaLean: true },
  { name: 'a parameter without a name (400)', path: '/ConceptMap/$translate', body: parameters({ valueString: 'x' }), headers: FHIR, status: 400, viaLean: true },
  { name: 'a parameter with two values (400)', path: '/ConceptMap/$translate', body: parameters({ name: 'code', valueCode: 'a', valueString: 'b' }), headers: FHIR, status: 400, viaLean: true },
  { name: 'text/plain (415)', path: '/ConceptMap/$translate', body: FREE_TEXT_BODY, headers: { 'Content-Type': 'text/plain' }, status: 415, viaLean: true },
  { name: 'charset latin1 (415)', path: '/ConceptMap/$translate', body: FREE_TEXT_BODY, headers: { 'Content-Type': 'application/fhir+json; charset=latin1' }, status: 415, viaLean: true },
  { name: 'fhirVersion 3.0 (415)', path: '/ConceptMap/$translate', body: FREE_TEXT_BODY, headers: { 'Content-Type': 'application/fhir+json; fhirVersion=3.0' }, status: 415, viaLean: true },
  { name: 'no Content-Type (415)', path: '/ConceptMap/$translate', body: new TextEncoder().encode(FREE_TEXT_BODY), headers: {}, status: 415, viaLean: true },
  { name: 'larger than http.maxBodyBytes: Express answers 413', path: '/ConceptMap/$translate', body: parameters({ name: 'codeableConcept', valueCodeableConcept: { text: 'x'.repeat(MAX_BODY_BYTES) } }), headers: FHIR, status: 413, viaLean: false },
  { name: 'Authorization header: Express answers', path: '/ConceptMap/$translate', body: FREE_TEXT_BODY, headers: { ...FHIR, Authorization: `Bearer ${TOKEN}` }, status: 200, viaLean: false },
  { name: 'POST $review is not a hot operation: Express answers', path: '/ConceptMap/$review', body: FREE_TEXT_BODY, headers: FHIR, status: 401, viaLean: false },
];

test('POSTed operations: the lean path answers exactly what the Express path answers, success and errors', async () => {
  for (const r of POSTS) {
    const viaExpress = await post(expressBase, r.path, r.body, r.headers);
    const path = `/fhir${r.path.split('?')[0]!}`;
    const before = leanAnswered(path, r.status);
    const viaLean = await post(leanBase, r.path, r.body, r.headers);
    assert.equal(viaExpress.status, r.status, `${r.name}: Express status (${viaExpress.body.slice(0, 200)})`);
    assert.equal(viaLean.status, viaExpress.status, r.name);
    assert.equal(viaLean.contentType, viaExpress.contentType, r.name);
    assert.equal(viaLean.requestId, viaExpress.requestId, r.name);
    assert.equal(viaLean.body, viaExpress.body, r.name);
    // pino writes synchronously to this stream, after 'finish'; give the event loop a turn.
    await new Promise((done) => setImmediate(done));
    assert.equal(leanAnswered(path, r.status) - before, r.viaLean ? 1 : 0, `${r.name}: answered by the ${r.viaLean ? 'lean path' : 'Express path'}`);
  }
  assert.equal((await post(leanBase, '/ConceptMap/$translate', FREE_TEXT_BODY, { ...FHIR, 'X-Request-Id': 'post-7' })).requestId, 'post-7');
});

test("a learned ultrasound + CT decision: the sender's free-text $translate is the same bytes on both paths, systems and targetsystem included", async () => {
  const sender = 'LEAN^US';
  const US = 'https://bzh.rimagcloud.com/fhir/CodeSystem/us-exam-item';
  const review = await post(leanBase, '/ConceptMap/$review', parameters(
    { name: 'sender', valueString: sender }, { name: 'name', valueString: '特检套餐甲' }, { name: 'localCode', valueString: 'LU1' },
    { name: 'target', valueCoding: { system: US, code: '50U101000C0000' } }, { name: 'target', valueCode: '20040100110000' },
  ), { ...FHIR, Authorization: `Bearer ${TOKEN}` });
  assert.equal(review.status, 200, review.body);
  const ask = (...more: unknown[]) => parameters({ name: 'coding', valueCoding: { system: senderCodeSystem(sender), code: 'LU1', display: '特检套餐甲' } }, ...more);
  // The engine has no answer for this name; both processes learn the map through store.watch (polled every 100 ms).
  const learnedBoth = async () => (await Promise.all([leanBase, expressBase].map((b) => post(b, '/ConceptMap/$translate', ask(), FHIR)))).every((a) => a.body.includes('50U101000C0000'));
  for (let i = 0; i < 100 && !(await learnedBoth()); i++) await new Promise((done) => setTimeout(done, 50));
  for (const body of [ask(), ask({ name: 'targetsystem', valueUri: US }), ask({ name: 'targetsystem', valueUri: EXAM })]) {
    const viaExpress = await post(expressBase, '/ConceptMap/$translate', body, FHIR);
    const viaLean = await post(leanBase, '/ConceptMap/$translate', body, FHIR);
    assert.equal(viaExpress.status, 200, viaExpress.body);
    assert.deepEqual(viaLean, viaExpress);
  }
  const usOnly = JSON.parse((await post(leanBase, '/ConceptMap/$translate', ask({ name: 'targetsystem', valueUri: US }), FHIR)).body) as { parameter: Array<{ name: string; part?: Array<{ name: string; valueCoding?: { system: string; code: string } }> }> };
  const concepts = usOnly.parameter.filter((p) => p.name === 'match').map((m) => m.part?.find((p) => p.name === 'concept')?.valueCoding);
  assert.deepEqual(concepts.map((c) => [c?.system, c?.code]), [[US, '50U101000C0000']]);
  const all = JSON.parse((await post(expressBase, '/ConceptMap/$translate', ask(), FHIR)).body) as typeof usOnly;
  assert.deepEqual(all.parameter.filter((p) => p.name === 'match').map((m) => m.part?.find((p) => p.name === 'concept')?.valueCoding?.code), ['50U101000C0000', '20040100110000'], "the reviewer's order");
});
