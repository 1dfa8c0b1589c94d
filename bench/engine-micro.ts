/**
 * Engine micro-benchmark (no HTTP): CPU µs per call of the terminology operations the HTTP bench
 * measures, on the registry src/main.ts builds (FHIR core + committed content). Median of rounds.
 * Usage: npx tsx bench/engine-micro.ts [iterations]   (profile: node --cpu-prof --import tsx bench/engine-micro.ts)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeSystem, ConceptMap, ValueSet } from 'fhir/r4';
import { TerminologyRegistry, type TerminologyResource } from '../src/terminology/registry.js';
import { loadFhirCore } from '../src/terminology/fhir-core.js';
import { OperationContext } from '../src/terminology/context.js';
import { expandValueSet } from '../src/terminology/operations/expand.js';
import { validateCode } from '../src/terminology/operations/validate-code.js';
import { lookupCode } from '../src/terminology/operations/lookup.js';
import { resolveCodeSystem } from '../src/terminology/valuesets/resolve.js';
import { examItemProviderFactory } from '../src/standard/exam-item-provider.js';
import { codeSystemUrl, CS, DEFAULT_CANONICAL_BASE } from '../src/standard/canonical.js';

const root = join(import.meta.dirname, '..');
const registry = new TerminologyRegistry();
loadFhirCore(registry);
for (const dir of ['codesystems', 'valuesets', 'conformance/conceptmaps']) {
  for (const f of readdirSync(join(root, dir))) registry.add(JSON.parse(readFileSync(join(root, dir, f), 'utf8')) as TerminologyResource);
}
const EXAM_ITEM = codeSystemUrl(DEFAULT_CANONICAL_BASE, CS.examItem);
registry.registerProviderFactory(EXAM_ITEM, examItemProviderFactory({ resolve: (url) => registry.findCodeSystem(url) as CodeSystem | undefined }));
const all = registry.findValueSet(`${DEFAULT_CANONICAL_BASE}/ValueSet/exam-item-all`) as ValueSet;
const ctx = (): OperationContext => new OperationContext({ resolver: registry });

const ops: Record<string, () => unknown> = {
  'expand-filter': () => expandValueSet(ctx(), { valueSet: all, filter: '胸部', echo: [] }),
  'expand-all': () => expandValueSet(ctx(), { valueSet: all, echo: [] }),
  'validate-vs': () => validateCode(ctx(), { target: 'valueset', kind: 'code', codings: [{ system: EXAM_ITEM, code: '20040100110000' }], valueSet: all }),
  'validate-cs': () => {
    const c = ctx();
    const cs = resolveCodeSystem(c, EXAM_ITEM, undefined).provider!;
    return validateCode(c, { target: 'codesystem', kind: 'code', codings: [{ system: EXAM_ITEM, code: '20040100110000' }], codeSystem: cs.resource });
  },
  lookup: () => {
    const c = ctx();
    const provider = resolveCodeSystem(c, EXAM_ITEM, undefined).provider!;
    return lookupCode(c, { provider, code: '20040100110000', properties: [] });
  },
};
void (null as unknown as ConceptMap);

const iterations = Number(process.argv[2] ?? 400);
const only = process.argv[3]?.split(',');
for (const [name, fn] of Object.entries(ops)) {
  if (only && !only.includes(name)) continue;
  for (let i = 0; i < 50; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t);
    samples.push(d.user + d.system);
  }
  samples.sort((a, b) => a - b);
  console.log(`${name.padEnd(14)} median ${samples[samples.length >> 1]} µs  p90 ${samples[Math.floor(samples.length * 0.9)]} µs  (n=${iterations})`);
}
