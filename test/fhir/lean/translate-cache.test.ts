/**
 * Which `$translate` answers the lean path keeps (src/fhir/lean/translate-rule.ts): only those that
 * name one ConceptMap (url or instance) that is not the matcher, asked by GET. Checked two ways:
 * the rule itself, and the real server (engine table + exam-name matcher + learned mappings) with
 * the matcher and the learned lookup instrumented — no request that consulted either may leave an
 * entry in the cache, and a matcher-dependent answer must change when only the matcher's state does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { ConceptMap } from 'fhir/r4';
import { defaultConfig, REPO_ROOT } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { createFhirServer, type FhirServer } from '../../../src/fhir/app.js';
import { isCacheableTranslate } from '../../../src/fhir/lean/translate-rule.js';
import { ExamItemMatching, withMatchingOperations } from '../../../src/fhir/matching-operations.js';
import { createOperationTable } from '../../../src/fhir/operations/table.js';
import { LearnedMappings } from '../../../src/matching/index.js';
import { learnedMapId, senderCodeSystem } from '../../../src/matching/learned.js';
import { DEFAULT_CANONICAL_BASE } from '../../../src/standard/canonical.js';
import { TerminologyRegistry, type TerminologyResource } from '../../../src/terminology/registry.js';
import { createMemoryStore, MemoryResourceStore } from '../memory-store.js';

const BASE = DEFAULT_CANONICAL_BASE;
const EXAM = `${BASE}/CodeSystem/exam-item`;
const MATCHER = `${BASE}/OperationDefinition/standardize`;
const CHUANYU_MAP = `${BASE}/ConceptMap/chuanyu-to-exam-item`;
const CHUANYU = `${BASE}/CodeSystem/chuanyu-mutual-recognition-item`;
const MATCHERS = new Set([MATCHER]);
const q = (params: Array<[string, string]>): string => new URLSearchParams(params).toString();
const one = (query: Record<string, string>) => Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]));

describe('isCacheableTranslate', () => {
  const cases: Array<[string, { instance: boolean; query: Record<string, string[]> }, boolean]> = [
    ['explicit map by url (the bench request)', { instance: false, query: one({ url: CHUANYU_MAP, system: CHUANYU, code: '1', targetsystem: EXAM }) }, true],
    ['instance level', { instance: true, query: one({ system: CHUANYU, code: '1' }) }, true],
    ['explicit map, R5 names and reverse', { instance: false, query: one({ url: CHUANYU_MAP, sourceSystem: CHUANYU, sourceCode: '1', reverse: 'true', targetScope: 'x' }) }, true],
    ['explicit map of a sender (learned, a registry ConceptMap)', { instance: false, query: one({ url: `${BASE}/ConceptMap/learned-x`, system: senderCodeSystem('x'), code: 'L1' }) }, true],
    ['url = the matcher', { instance: false, query: one({ url: MATCHER, system: CHUANYU, code: '1' }) }, false],
    ['instance level but url = the matcher (the wrapper answers from the matcher first)', { instance: true, query: one({ url: MATCHER, code: '1' }) }, false],
    ['no map named (all maps, matcher fallback possible)', { instance: false, query: one({ system: CHUANYU, code: '1' }) }, false],
    ['no map named, a sender system', { instance: false, query: one({ system: senderCodeSystem('x'), code: 'L1' }) }, false],
    ['empty url', { instance: false, query: one({ url: '', system: CHUANYU, code: '1' }) }, false],
    ['url given twice', { instance: false, query: { url: [CHUANYU_MAP, MATCHER], system: [CHUANYU], code: ['1'] } }, false],
    ['code given twice', { instance: false, query: { url: [CHUANYU_MAP], code: ['1', '2'] } }, false],
    ['a free-text carrier (codeableConcept)', { instance: false, query: one({ url: CHUANYU_MAP, codeableConcept: '胸部CT' }) }, false],
    ['a free-text carrier (coding)', { instance: false, query: one({ url: CHUANYU_MAP, coding: 'x' }) }, false],
    ['an unknown parameter', { instance: false, query: one({ url: CHUANYU_MAP, code: '1', text: '胸部CT' }) }, false],
  ];
  for (const [name, request, expected] of cases) {
    test(`${name}: ${expected ? 'cached' : 'not cached'}`, () => assert.equal(isCacheableTranslate(request, MATCHERS), expected));
  }
  test('without the matcher canonicals nothing is cached', () => assert.equal(isCacheableTranslate(cases[0]![1], undefined), false));
});

describe('$translate through the lean path with the real matcher', () => {
  let registry: TerminologyRegistry;
  let learned: LearnedMappings;
  let matching: ExamItemMatching;
  let lean: FhirServer;
  let leanBase: string;
  let expressBase: string;
  const servers: Server[] = [];
  let matcherCalls = 0;
  let learnedLookups = 0;

  const listen = async (fhir: FhirServer): Promise<string> => {
    const server = createServer(fhir.listener);
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}/fhir`;
  };

  before(async () => {
    registry = new TerminologyRegistry();
    for (const dir of ['codesystems', 'conformance/conceptmaps']) {
      for (const f of readdirSync(join(REPO_ROOT, dir)).filter((n) => n.endsWith('.json'))) {
        registry.add(JSON.parse(readFileSync(join(REPO_ROOT, dir, f), 'utf8')) as TerminologyResource);
      }
    }
    learned = new LearnedMappings(new MemoryResourceStore(), { canonicalBase: BASE });
    const lookup = learned.lookup.bind(learned);
    learned.lookup = (...args) => {
      learnedLookups++;
      return lookup(...args);
    };
    matching = new ExamItemMatching({ base: BASE, learned, findCodeSystem: (url) => registry.findCodeSystem(url) });
    assert.ok(matching.rebuild() > 1000);
    const match = matching.matcher.match.bind(matching.matcher);
    matching.matcher.match = (...args) => {
      matcherCalls++;
      return match(...args);
    };
    const operations = withMatchingOperations(createOperationTable({ registry }), {
      matching, base: BASE, codeSystemById: (id) => registry.byId('CodeSystem', id) as never,
      mapsFrom: (system) => (registry.all('ConceptMap') as ConceptMap[]).some((cm) => cm.group?.some((g) => g.source === system)),
    });
    const server = (leanPath: boolean) => {
      const config = defaultConfig();
      config.http.leanPath = leanPath;
      return createFhirServer({ operations, registry, store: createMemoryStore(), config, logger: silentLogger, matcherCanonicals: [MATCHER] });
    };
    lean = server(true);
    leanBase = await listen(lean);
    expressBase = await listen(server(false));
  });

  after(async () => {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  });

  interface Outcome { status: number; body: string; cached: boolean; consulted: boolean }

  /** Sends the request to the lean server twice and to Express once; the three bodies must agree. */
  async function exchange(path: string, init: RequestInit = {}): Promise<Outcome> {
    const size = lean.lean!.cache.size;
    const calls = matcherCalls + learnedLookups;
    const first = await fetch(`${leanBase}${path}`, init);
    const body = await first.text();
    const consulted = matcherCalls + learnedLookups > calls;
    const cached = lean.lean!.cache.size > size;
    const again = await fetch(`${leanBase}${path}`, init);
    assert.equal(await again.text(), body, `${path}: repeated`);
    const viaExpress = await fetch(`${expressBase}${path}`, init);
    assert.equal(viaExpress.status, first.status, path);
    assert.equal(await viaExpress.text(), body, `${path}: the Express path's bytes`);
    return { status: first.status, body, cached, consulted };
  }

  const GETS: Array<{ name: string; query: Array<[string, string]>; instance?: string; cached: boolean; status: number }> = [
    { name: 'explicit map hit (bench)', query: [['url', CHUANYU_MAP], ['system', CHUANYU], ['code', '1'], ['targetsystem', EXAM]], cached: true, status: 200 },
    { name: 'explicit map, code not in it', query: [['url', CHUANYU_MAP], ['system', CHUANYU], ['code', 'no-such-code']], cached: true, status: 200 },
    { name: 'explicit map that does not exist', query: [['url', `${BASE}/ConceptMap/none`], ['system', CHUANYU], ['code', '1']], cached: true, status: 404 },
    { name: 'instance level', instance: 'chuanyu-to-exam-item', query: [['system', CHUANYU], ['code', '2']], cached: true, status: 200 },
    { name: 'url = the matcher', query: [['url', MATCHER], ['system', CHUANYU], ['code', '1']], cached: false, status: 400 },
    { name: 'no map named', query: [['system', CHUANYU], ['code', '1']], cached: false, status: 200 },
    { name: 'no map named, a sender system', query: [['system', senderCodeSystem('lean-test')], ['code', 'L1']], cached: false, status: 200 },
    { name: 'the learned map of a sender, named', query: [['url', `${BASE}/ConceptMap/${learnedMapId('lean-test')}`], ['system', senderCodeSystem('lean-test')], ['code', 'L1']], cached: true, status: 404 },
    { name: 'free text as a GET string', query: [['url', CHUANYU_MAP], ['codeableConcept', '胸部CT平扫'], ['code', '1']], cached: false, status: 200 },
  ];

  test('GET: cached exactly as the rule says, byte-identical to Express, and never after consulting the matcher or learned maps', async () => {
    for (const g of GETS) {
      const path = `/ConceptMap/${g.instance ? `${g.instance}/` : ''}$translate?${q(g.query)}`;
      const out = await exchange(path);
      assert.equal(out.status, g.status, `${g.name}: ${out.body.slice(0, 300)}`);
      assert.equal(out.cached, g.cached, g.name);
      assert.ok(!(out.cached && out.consulted), `${g.name}: an answer that consulted the matcher or learned maps was cached`);
    }
  });

  test('POSTed free text consults the matcher and learned maps and is not cached; its answer follows the learned maps at once', async () => {
    const body = (text: string) => JSON.stringify({
      resourceType: 'Parameters',
      parameter: [{ name: 'codeableConcept', valueCodeableConcept: { coding: [{ system: senderCodeSystem('lean-test'), code: 'L9' }], text } }],
    });
    const init = (text: string): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/fhir+json' }, body: body(text) });
    const before = await exchange('/ConceptMap/$translate', init('胸部CT平扫'));
    assert.equal(before.status, 200);
    assert.ok(before.consulted && !before.cached);
    // Only the matcher's state changes (a learned mapping in memory), not the registry.
    const target = '20050100110000';
    learned.apply({
      resourceType: 'ConceptMap', status: 'active',
      group: [{ source: senderCodeSystem('lean-test'), target: EXAM, element: [{ code: 'L9', target: [{ code: target, equivalence: 'equivalent' }] }] }],
    });
    const after = await exchange('/ConceptMap/$translate', init('胸部CT平扫'));
    assert.notEqual(after.body, before.body, 'the learned mapping changed the answer');
    assert.match(after.body, new RegExp(target));
    assert.ok(!after.cached);
  });
});
