/**
 * The matcher-backed operations over HTTP (src/fhir/matching-operations.ts): free-text fallback of
 * ConceptMap/$translate, CodeSystem/$find-matches on the exam-item system, and $standardize —
 * with the real engine table, the committed content and the real matcher.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import request from 'supertest';
import type { ConceptMap, Parameters, ParametersParameter } from 'fhir/r4';
import { ExamItemMatching, withMatchingOperations } from '../../src/fhir/matching-operations.js';
import { createOperationTable } from '../../src/fhir/operations/table.js';
import { LearnedMappings } from '../../src/matching/index.js';
import { senderCodeSystem } from '../../src/matching/learned.js';
import { DEFAULT_CANONICAL_BASE } from '../../src/standard/canonical.js';
import { TerminologyRegistry, type TerminologyResource } from '../../src/terminology/registry.js';
import { REPO_ROOT } from '../../src/config.js';
import { buildTestApp, FHIR_JSON_R4 } from './helpers.js';
import { MemoryResourceStore } from './memory-store.js';

const BASE = DEFAULT_CANONICAL_BASE;
const EXAM_ITEM = `${BASE}/CodeSystem/exam-item`;
const ENGINE = `${BASE}/OperationDefinition/standardize`;
const SCORE_EXT = `${BASE}/StructureDefinition/match-score`;
const CHEST_CT_PLAIN = '20040100110000';
const UPPER_ABDOMEN_CT_PLAIN = '20050100110000';

function loadContent(registry: TerminologyRegistry): void {
  for (const dir of ['codesystems', 'conformance/conceptmaps']) {
    for (const f of readdirSync(join(REPO_ROOT, dir)).filter((n) => n.endsWith('.json'))) {
      registry.add(JSON.parse(readFileSync(join(REPO_ROOT, dir, f), 'utf8')) as TerminologyResource);
    }
  }
}

const params = (p: Parameters, name: string) => (p.parameter ?? []).filter((x) => x.name === name);
const part = (p: ParametersParameter | undefined, name: string) => p?.part?.find((x) => x.name === name);
const parts = (p: ParametersParameter | undefined, name: string) => p?.part?.filter((x) => x.name === name) ?? [];
const body = (...parameter: ParametersParameter[]): Parameters => ({ resourceType: 'Parameters', parameter });

describe('matcher-backed FHIR operations', () => {
  let app: ReturnType<typeof buildTestApp>['app'];
  let matching: ExamItemMatching;
  let learned: LearnedMappings;

  before(async () => {
    const registry = new TerminologyRegistry();
    loadContent(registry);
    learned = new LearnedMappings(new MemoryResourceStore(), { canonicalBase: BASE });
    matching = new ExamItemMatching({ base: BASE, learned, findCodeSystem: (url) => registry.findCodeSystem(url) });
    assert.ok(matching.rebuild() > 1000, 'the exam-item CodeSystem should give the matcher its items');
    const operations = withMatchingOperations(createOperationTable({ registry }), {
      matching, base: BASE, codeSystemById: (id) => registry.byId('CodeSystem', id) as never,
      mapsFrom: (system) => (registry.all('ConceptMap') as ConceptMap[]).some((cm) => cm.group?.some((g) => g.source === system)),
    });
    app = buildTestApp({ operations }).app;
  });

  const post = (path: string, p: Parameters) => request(app).post(`/fhir${path}`).set('Content-Type', FHIR_JSON_R4).send(JSON.stringify(p));

  describe('ConceptMap/$translate free-text fallback', () => {
    test('codeableConcept.text 胸部CT平扫 → the exam item, equivalent, with score and source', async () => {
      const res = await post('/ConceptMap/$translate', body({ name: 'codeableConcept', valueCodeableConcept: { text: '胸部CT平扫' } }));
      assert.equal(res.status, 200);
      const out = res.body as Parameters;
      assert.equal(params(out, 'result')[0]?.valueBoolean, true);
      assert.match(params(out, 'message')[0]?.valueString ?? '', /decision auto/);
      const matches = params(out, 'match');
      assert.equal(matches.length, 1, 'an auto decision offers its best candidate only');
      const m = matches[0]!;
      assert.equal(part(m, 'equivalence')?.valueCode, 'equivalent');
      assert.equal(part(m, 'relationship')?.valueCode, 'equivalent');
      assert.deepEqual(part(m, 'concept')?.valueCoding, { system: EXAM_ITEM, version: 'V3.8.2', code: CHEST_CT_PLAIN, display: matching.display(CHEST_CT_PLAIN) });
      assert.equal(part(m, 'source')?.valueUri, ENGINE);
      const score = m.extension?.find((e) => e.url === SCORE_EXT)?.valueDecimal;
      assert.ok(typeof score === 'number' && score >= 0.9 && score <= 1, `score ${score}`);
    });

    test('a billing line (CT胶片) is result=false with the reason and no match', async () => {
      const res = await post('/ConceptMap/$translate', body({ name: 'codeableConcept', valueCodeableConcept: { text: 'CT胶片' } }));
      assert.equal(res.status, 200);
      assert.equal(params(res.body as Parameters, 'result')[0]?.valueBoolean, false);
      assert.equal(params(res.body as Parameters, 'match').length, 0);
      assert.match(params(res.body as Parameters, 'message')[0]?.valueString ?? '', /decision none.*胶片/);
    });

    test('a line naming two exams gives one narrower match per exam', async () => {
      const res = await post('/ConceptMap/$translate', body({ name: 'codeableConcept', valueCodeableConcept: { text: '胸部CT+上腹部CT' } }));
      const matches = params(res.body as Parameters, 'match');
      assert.deepEqual(matches.map((m) => part(m, 'concept')?.valueCoding?.code), [CHEST_CT_PLAIN, UPPER_ABDOMEN_CT_PLAIN]);
      assert.deepEqual(matches.map((m) => part(m, 'equivalence')?.valueCode), ['narrower', 'narrower']);
      assert.deepEqual(matches.map((m) => part(m, 'relationship')?.valueCode), ['source-is-broader-than-target', 'source-is-broader-than-target']);
    });

    test('a name the engine is unsure of gives ranked inexact matches, never equivalent', async () => {
      const unsure = ['胸片', '肾动脉血管成像', '肋骨三维重建术', '胸部平扫'].find((n) => {
        const r = matching.matcher.match(n);
        return r.decision === 'review' && r.exams.length === 1 && r.exams[0]!.candidates.length > 1;
      });
      assert.ok(unsure, 'none of the sample names is a review decision any more; pick another');
      const res = await post('/ConceptMap/$translate', body({ name: 'codeableConcept', valueCodeableConcept: { text: unsure } }));
      const out = res.body as Parameters;
      assert.equal(params(out, 'result')[0]?.valueBoolean, true);
      const matches = params(out, 'match');
      const expected = matching.matcher.match(unsure).exams[0]!.candidates.map((c) => c.code);
      assert.deepEqual(matches.map((m) => part(m, 'concept')?.valueCoding?.code), expected);
      assert.ok(matches.every((m) => part(m, 'equivalence')?.valueCode === 'inexact' && part(m, 'relationship')?.valueCode === 'related-to'));
      const scores = matches.map((m) => m.extension?.[0]?.valueDecimal ?? -1);
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
    });

    test('a coding whose system has no map falls back to the matcher on its display', async () => {
      const res = await post('/ConceptMap/$translate', body(
        { name: 'coding', valueCoding: { system: 'http://hospital.example/his-exam', code: 'CT0012', display: '64排CT平扫(胸部)' } },
        { name: 'targetsystem', valueUri: EXAM_ITEM },
      ));
      const out = res.body as Parameters;
      assert.equal(params(out, 'result')[0]?.valueBoolean, true);
      assert.equal(part(params(out, 'match')[0], 'concept')?.valueCoding?.code, CHEST_CT_PLAIN);
      assert.match(params(out, 'message')[0]?.valueString ?? '', /CT0012.*free text/, 'the message says the map had nothing first');
    });

    test('a coding the ConceptMaps know is answered by the engine unchanged', async () => {
      const map = JSON.parse(readFileSync(join(REPO_ROOT, 'conformance/conceptmaps/chuanyu-to-exam-item.json'), 'utf8')) as ConceptMap;
      const group = map.group!.find((g) => g.element?.some((e) => e.target?.some((t) => t.equivalence === 'equivalent')))!;
      const el = group.element!.find((e) => e.target?.some((t) => t.equivalence === 'equivalent'))!;
      const res = await post('/ConceptMap/$translate', body(
        { name: 'coding', valueCoding: { system: group.source, code: el.code, display: '胸部CT平扫' } },
        { name: 'targetsystem', valueUri: EXAM_ITEM },
      ));
      const out = res.body as Parameters;
      assert.equal(params(out, 'result')[0]?.valueBoolean, true);
      const matches = params(out, 'match');
      assert.ok(matches.some((m) => part(m, 'concept')?.valueCoding?.code === el.target!.find((t) => t.equivalence === 'equivalent')!.code));
      assert.ok(matches.every((m) => !m.extension && part(m, 'source')?.valueUri !== ENGINE), 'no matcher output mixed in');
    });

    test('a code missing from an existing map stays result=false: the map, not the matcher, speaks for its system', async () => {
      const map = JSON.parse(readFileSync(join(REPO_ROOT, 'conformance/conceptmaps/chuanyu-to-exam-item.json'), 'utf8')) as ConceptMap;
      const res = await post('/ConceptMap/$translate', body({ name: 'coding', valueCoding: { system: map.group![0]!.source, code: 'NOT-IN-THE-MAP', display: '胸部CT平扫' } }));
      const out = res.body as Parameters;
      assert.equal(params(out, 'result')[0]?.valueBoolean, false);
      assert.equal(params(out, 'match').length, 0);
      assert.doesNotMatch(params(out, 'message')[0]?.valueString ?? '', /free text/);
    });

    test('free text aimed at another target system is not matched to exam items', async () => {
      const res = await post('/ConceptMap/$translate', body(
        { name: 'codeableConcept', valueCodeableConcept: { text: '胸部CT平扫' } },
        { name: 'targetsystem', valueUri: 'http://dicom.nema.org/resources/ontology/DCM' },
      ));
      assert.equal(res.status, 400, 'the engine needs a code: the matcher only targets exam items');
      assert.equal(res.body.resourceType, 'OperationOutcome');
    });

    test('url = the engine canonical asks the matcher directly; without text it is a 400', async () => {
      const ok = await post('/ConceptMap/$translate', body({ name: 'url', valueUri: ENGINE }, { name: 'coding', valueCoding: { code: 'x', display: '双肺CT' } }));
      assert.equal(part(params(ok.body as Parameters, 'match')[0], 'concept')?.valueCoding?.code, CHEST_CT_PLAIN);
      const bad = await post('/ConceptMap/$translate', body({ name: 'url', valueUri: ENGINE }, { name: 'code', valueCode: 'x' }));
      assert.equal(bad.status, 400);
    });

    test("a sender's reviewed mapping (learned ConceptMap) is used first for its local code", async () => {
      const sender = 'HIS^TESTHOSP';
      await learned.record({ sender, name: '特需检查甲', localCode: 'LX01', targets: [{ code: UPPER_ABDOMEN_CT_PLAIN }], reviewer: 'tester' });
      const res = await post('/ConceptMap/$translate', body({ name: 'coding', valueCoding: { system: senderCodeSystem(sender), code: 'LX01', display: '特需检查甲' } }));
      const out = res.body as Parameters;
      assert.equal(params(out, 'result')[0]?.valueBoolean, true);
      assert.match(params(out, 'message')[0]?.valueString ?? '', /reviewed mapping/);
      const concept = part(params(out, 'match')[0], 'concept')?.valueCoding;
      assert.equal(concept?.code, UPPER_ABDOMEN_CT_PLAIN);
      assert.equal(concept?.display, matching.display(UPPER_ABDOMEN_CT_PLAIN), 'display filled from the exam items');
    });
  });

  describe('$translate: ultrasound/PET/SPECT names match the extension CodeSystems', () => {
    const US = `${BASE}/CodeSystem/us-exam-item`;
    const SPECT = `${BASE}/CodeSystem/spect-exam-item`;
    const text = (t: string, ...more: ParametersParameter[]) => body({ name: 'codeableConcept', valueCodeableConcept: { text: t } }, ...more);

    test('甲状腺彩超 → the US item, concept.system us-exam-item with its version', async () => {
      const res = await post('/ConceptMap/$translate', text('甲状腺彩超'));
      const matches = params(res.body as Parameters, 'match');
      assert.equal(matches.length, 1);
      assert.deepEqual(part(matches[0], 'concept')?.valueCoding, { system: US, version: 'V1.1', code: '50U101000C0000', display: '*甲状腺常规超声检查' });
      assert.equal(part(matches[0], 'equivalence')?.valueCode, 'equivalent');
    });

    test('a mixed line carries each match\'s own system', async () => {
      const res = await post('/ConceptMap/$translate', text('胸部CT平扫+全身骨显像(ECT)'));
      const codings = params(res.body as Parameters, 'match').map((m) => part(m, 'concept')?.valueCoding);
      assert.deepEqual(codings.map((c) => [c?.system, c?.code]), [[EXAM_ITEM, CHEST_CT_PLAIN], [SPECT, 'C010A104B0000']]);
    });

    test('targetsystem exam-item: an ultrasound name gets no match; us-exam-item: a CT name gets none', async () => {
      const us = await post('/ConceptMap/$translate', text('甲状腺彩超', { name: 'targetsystem', valueUri: EXAM_ITEM }));
      assert.equal(params(us.body as Parameters, 'result')[0]?.valueBoolean, false);
      assert.equal(params(us.body as Parameters, 'match').length, 0);
      const ct = await post('/ConceptMap/$translate', text('胸部CT平扫', { name: 'targetsystem', valueUri: US }));
      assert.equal(params(ct.body as Parameters, 'result')[0]?.valueBoolean, false);
      const ok = await post('/ConceptMap/$translate', text('甲状腺彩超', { name: 'targetsystem', valueUri: US }));
      assert.deepEqual(params(ok.body as Parameters, 'match').map((m) => part(m, 'concept')?.valueCoding?.system), [US]);
    });

    test('target ValueSet exam-item-us keeps only US matches; exam-item-ct only exam-item ones', async () => {
      const line = '胸部CT平扫+甲状腺彩超';
      const us = await post('/ConceptMap/$translate', text(line, { name: 'target', valueUri: `${BASE}/ValueSet/exam-item-us` }));
      assert.deepEqual(params(us.body as Parameters, 'match').map((m) => part(m, 'concept')?.valueCoding?.code), ['50U101000C0000']);
      const ct = await post('/ConceptMap/$translate', text(line, { name: 'target', valueUri: `${BASE}/ValueSet/exam-item-ct` }));
      assert.deepEqual(params(ct.body as Parameters, 'match').map((m) => part(m, 'concept')?.valueCoding?.code), [CHEST_CT_PLAIN]);
    });

    test('other out-of-scope services stay none (心电图)', async () => {
      const res = await post('/ConceptMap/$translate', text('十二导联心电图'));
      assert.equal(params(res.body as Parameters, 'result')[0]?.valueBoolean, false);
    });

    test('$standardize codings carry the candidate\'s system', async () => {
      const res = await post('/$standardize', body({ name: 'name', valueString: '心脏彩超' }));
      const exam = params(res.body as Parameters, 'result')[0]?.part?.find((p) => p.name === 'exam');
      const coding = part(parts(exam, 'candidate')[0], 'concept')?.valueCoding;
      assert.equal(coding?.system, US);
      assert.equal(coding?.code, '50U801000C0000');
    });
  });

  describe('CodeSystem/$find-matches', () => {
    const chestPlain = [
      { name: 'property', part: [{ name: 'code', valueCode: 'deviceType' }, { name: 'value', valueString: '20' }] },
      { name: 'property', part: [{ name: 'code', valueCode: 'bodyPartL3' }, { name: 'value', valueString: '040100' }] },
      { name: 'property', part: [{ name: 'code', valueCode: 'scanMethod' }, { name: 'value', valueString: '11' }] },
      { name: 'property', part: [{ name: 'code', valueCode: 'postProcessing' }, { name: 'value', valueString: '00' }] },
    ];

    test('exact segment properties find the item (type level)', async () => {
      const res = await post('/CodeSystem/$find-matches', body({ name: 'system', valueUri: EXAM_ITEM }, { name: 'exact', valueBoolean: true }, ...chestPlain));
      assert.equal(res.status, 200);
      const matches = params(res.body as Parameters, 'match');
      const codes = matches.map((m) => part(m, 'code')?.valueCoding?.code);
      assert.ok(codes.includes(CHEST_CT_PLAIN), JSON.stringify(codes));
      assert.ok(matches.every((m) => part(m, 'equivalence')?.valueCode === 'equivalent'));
      assert.ok(codes.every((c) => c?.startsWith('20040100') && c.slice(8, 12) === '1100'));
    });

    test('instance level on the exam-item CodeSystem; inexact search ranks partial matches', async () => {
      const res = await post('/CodeSystem/exam-item-V3.8.2/$find-matches', body({ name: 'exact', valueBoolean: false }, ...chestPlain.slice(1, 3)));
      assert.equal(res.status, 200);
      const matches = params(res.body as Parameters, 'match');
      assert.equal(part(matches[0], 'equivalence')?.valueCode, 'equivalent');
      assert.ok(matches.some((m) => part(m, 'equivalence')?.valueCode === 'inexact' && parts(m, 'comment').length === 1));
    });

    test('bad input is an OperationOutcome: unknown property 400, another code system 400, unknown instance 404', async () => {
      const unknown = await post('/CodeSystem/$find-matches', body({ name: 'exact', valueBoolean: true }, { name: 'property', part: [{ name: 'code', valueCode: 'colour' }, { name: 'value', valueString: 'x' }] }));
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.issue[0].details.text, /colour/);
      const other = await post('/CodeSystem/$find-matches', body({ name: 'system', valueUri: 'http://loinc.org' }, ...chestPlain));
      assert.equal(other.status, 400);
      const missing = await post('/CodeSystem/no-such-cs/$find-matches', body(...chestPlain));
      assert.equal(missing.status, 404);
    });
  });

  describe('$standardize (OperationDefinition-standardize)', () => {
    test('POST at system level: one result per name, in order, with code, decision and exams', async () => {
      const res = await post('/$standardize', body(
        { name: 'name', valueString: '胸部CT平扫' },
        { name: 'name', valueString: '胸部CT+上腹部CT' },
        { name: 'name', valueString: 'CT胶片' },
      ));
      assert.equal(res.status, 200);
      const results = params(res.body as Parameters, 'result');
      assert.deepEqual(results.map((r) => part(r, 'input')?.valueString), ['胸部CT平扫', '胸部CT+上腹部CT', 'CT胶片']);
      assert.deepEqual(results.map((r) => part(r, 'decision')?.valueCode), ['auto', 'auto', 'none']);
      assert.deepEqual(results.map((r) => part(r, 'code')?.valueString), [CHEST_CT_PLAIN, `${CHEST_CT_PLAIN}+${UPPER_ABDOMEN_CT_PLAIN}`, undefined]);
      assert.equal(parts(results[1], 'exam').length, 2);
      const candidate = part(part(results[0], 'exam'), 'candidate');
      assert.equal(part(candidate, 'concept')?.valueCoding?.system, EXAM_ITEM);
    });

    test('GET at ConceptMap type level with a modality hint; no name is a 400', async () => {
      const res = await request(app).get('/fhir/ConceptMap/$standardize').query({ name: '双肺CT', modality: 'CT' });
      assert.equal(res.status, 200);
      assert.equal(part(params(res.body as Parameters, 'result')[0], 'code')?.valueString, CHEST_CT_PLAIN);
      const bad = await request(app).get('/fhir/$standardize');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.resourceType, 'OperationOutcome');
    });
  });
});
