import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOrderCodeResolver, type ExamNameMatcher } from '../../src/hl7/resolver.js';

import type { ExamNameMatcher as MatchingEngine } from '../../src/matching/types.js';

/** Typecheck-time proof that the matching engine's matcher fits the gateway's structural interface. */
export function asGatewayMatcher(engine: MatchingEngine): ExamNameMatcher {
  return engine;
}

const SYSTEM = 'https://bzh.rimagcloud.com/fhir/CodeSystem/exam-item';

function matcher(decision: 'auto' | 'review' | 'none', exams = 1): ExamNameMatcher & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    match(name, options) {
      calls.push({ name, options });
      return { decision, exams: Array.from({ length: exams }, () => ({ decision, candidates: [{ code: '20050101110000', display: 'CT胸部(平扫)', score: 0.97 }] })) };
    },
  };
}

test('ConceptMap first, then the matcher only when auto and one exam, else unmapped with the reason', async () => {
  const m = matcher('auto');
  const r = createOrderCodeResolver({ conceptMap: async (q) => (q.sender === 'HIS^A' && q.code === 'CT1' ? { code: '20010101110000', display: 'CT头颅(平扫)', system: SYSTEM } : undefined), matcher: m, standardSystem: SYSTEM });
  assert.deepEqual(await r.resolve({ sender: 'HIS^A', code: 'CT1', text: '头颅CT', codingSystem: 'L' }), { kind: 'mapped', code: '20010101110000', display: 'CT头颅(平扫)', system: SYSTEM, via: 'conceptmap' });
  assert.equal(m.calls.length, 0, 'the matcher is not asked when the map answers');
  assert.deepEqual(await r.resolve({ sender: 'HIS^B', code: 'CT1', text: '胸部CT平扫', codingSystem: 'L', modality: 'CT' }), { kind: 'mapped', code: '20050101110000', display: 'CT胸部(平扫)', system: SYSTEM, via: 'matcher', score: 0.97 });
  assert.deepEqual(m.calls[0], { name: '胸部CT平扫', options: { sender: 'HIS^B', localCode: 'CT1', modality: 'CT', limit: 3 } });
  const review = createOrderCodeResolver({ matcher: matcher('review'), standardSystem: SYSTEM });
  const u = await review.resolve({ sender: 'S', code: 'X', text: '某检查', codingSystem: 'L' });
  assert.equal(u.kind, 'unmapped');
  assert.match((u as { reason: string }).reason, /decision review/);
  const multi = createOrderCodeResolver({ matcher: matcher('auto', 2), standardSystem: SYSTEM });
  assert.match(((await multi.resolve({ sender: 'S', code: 'X', text: '胸部CT+上腹部CT', codingSystem: 'L' })) as { reason: string }).reason, /2 exams/);
  const none = createOrderCodeResolver({ standardSystem: SYSTEM });
  assert.equal((await none.resolve({ sender: 'S', code: 'X', text: 't', codingSystem: 'L' })).kind, 'unmapped');
});
