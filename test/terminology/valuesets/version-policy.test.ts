/**
 * Value sets over several versions of one code system (tx-ecosystem `overload` semantics): the
 * evaluation order of includes, versionsMatch (stated or inferred), version-scoped excludes,
 * version-aware $validate-code, request-supplied resources for versionless references, and
 * check-system-version on a versionless include.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CodeSystem, Parameters, ValueSet, ValueSetComposeInclude } from 'fhir/r4';
import { OperationContext, type VersionRule } from '../../../src/terminology/context.js';
import { expandValueSet } from '../../../src/terminology/operations/expand.js';
import { validateCode } from '../../../src/terminology/operations/validate-code.js';
import { TerminologyRegistry, type Resolver } from '../../../src/terminology/registry.js';
import { includesInVersionOrder, versionPolicy } from '../../../src/terminology/valuesets/version-policy.js';

const BODY = 'http://example.org/fhir/CodeSystem/body-part';

/** Two editions of a body-part code system: 01 in both, 02 renamed in 2.0.0, 03 withdrawn, 04 new. */
function bodyPart(version: '1.0.0' | '2.0.0'): CodeSystem {
  const concept =
    version === '1.0.0'
      ? [
          { code: '01', display: '头部' },
          { code: '02', display: '颈部' },
          { code: '03', display: '胸部' },
        ]
      : [
          { code: '01', display: '头部' },
          { code: '02', display: '颈部(含甲状腺)' },
          { code: '04', display: '腹部' },
        ];
  return { resourceType: 'CodeSystem', id: `body-part-${version}`, url: BODY, version, status: 'active', content: 'complete', caseSensitive: true, concept };
}

function valueSet(include: ValueSetComposeInclude[], exclude: ValueSetComposeInclude[] = [], versionsMatch?: boolean): ValueSet {
  const extension =
    versionsMatch === undefined
      ? undefined
      : [{ url: 'http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter', extension: [{ url: 'name', valueCode: 'versionsMatch' }, { url: 'value', valueString: String(versionsMatch) }] }];
  return { resourceType: 'ValueSet', url: 'http://example.org/fhir/ValueSet/body-parts', version: '1', status: 'active', compose: { ...(extension ? { extension } : {}), include, ...(exclude.length ? { exclude } : {}) } };
}

const v1: ValueSetComposeInclude = { system: BODY, version: '1.0.0' };
const v2: ValueSetComposeInclude = { system: BODY, version: '2.0.0' };

function registry(): TerminologyRegistry {
  const r = new TerminologyRegistry();
  r.add(bodyPart('1.0.0'));
  r.add(bodyPart('2.0.0'));
  return r;
}

function expand(vs: ValueSet, resolver: Resolver = registry(), versionRules: VersionRule[] = []): ValueSet {
  return expandValueSet(new OperationContext({ resolver, versionRules }), { valueSet: vs, echo: [], excludeNested: true });
}

/** `code|version|display` of each entry, in the expansion's order. */
const rows = (vs: ValueSet): string[] => (vs.expansion?.contains ?? []).map((c) => `${c.code}|${c.version ?? ''}|${c.display}`);
const parameter = (vs: ValueSet, name: string): unknown[] => (vs.expansion?.parameter ?? []).filter((p) => p.name === name).map((p) => p.valueBoolean ?? p.valueUri);

test('includes pinning versions of one system are evaluated newest version first, other includes keep their place', () => {
  const other: ValueSetComposeInclude = { system: 'http://example.org/fhir/CodeSystem/other' };
  const order = includesInVersionOrder([v1, other, v2]);
  assert.deepEqual(
    order.map((o) => [o.include.version ?? '-', o.index]),
    [
      ['2.0.0', 2],
      ['-', 1],
      ['1.0.0', 0],
    ],
  );
});

test('versionPolicy: several versions named → versioned; versionsMatch stated, or inferred for an include/exclude diff', () => {
  assert.deepEqual(versionPolicy(valueSet([v1, v2])), { versioned: true, versionsMatch: false });
  assert.deepEqual(versionPolicy(valueSet([v1, v2], [], true)), { versioned: true, versionsMatch: true });
  assert.deepEqual(versionPolicy(valueSet([{ system: BODY }])), { versioned: false, versionsMatch: false });
  // include 2.0.0, exclude 1.0.0: a diff between versions, merged unless stated otherwise
  assert.deepEqual(versionPolicy(valueSet([v2], [v1])), { versioned: true, versionsMatch: true });
  assert.deepEqual(versionPolicy(valueSet([v2], [v1], false)), { versioned: true, versionsMatch: false });
  // an exclude of a version that is also included is no diff
  assert.equal(versionPolicy(valueSet([v1, v2], [{ ...v1, concept: [{ code: '02' }] }])).versionsMatch, false);
});

test('$expand over two versions lists each version of a code, with its own display and version', () => {
  const out = expand(valueSet([v1, v2]));
  assert.deepEqual(rows(out).sort(), ['01|1.0.0|头部', '01|2.0.0|头部', '02|1.0.0|颈部', '02|2.0.0|颈部(含甲状腺)', '03|1.0.0|胸部', '04|2.0.0|腹部']);
  assert.equal(out.expansion!.total, 6);
  assert.deepEqual(parameter(out, 'versionsMatch'), []);
  assert.deepEqual(parameter(out, 'used-codesystem').sort(), [`${BODY}|1.0.0`, `${BODY}|2.0.0`]);
});

test('versionsMatch=true merges the versions: one entry per code, from the newest version that has it', () => {
  const out = expand(valueSet([v1, v2], [], true));
  assert.deepEqual(rows(out).sort(), ['01|2.0.0|头部', '02|2.0.0|颈部(含甲状腺)', '03|1.0.0|胸部', '04|2.0.0|腹部']);
  assert.deepEqual(parameter(out, 'versionsMatch'), [true]);
});

test('an exclude removes codes of the version it names (versioned) or of any version (merged)', () => {
  // include both, exclude 02 of 1.0.0 only: 02 of 2.0.0 stays
  const scoped = expand(valueSet([v1, v2], [{ ...v1, concept: [{ code: '02' }] }]));
  assert.deepEqual(rows(scoped).sort(), ['01|1.0.0|头部', '01|2.0.0|头部', '02|2.0.0|颈部(含甲状腺)', '03|1.0.0|胸部', '04|2.0.0|腹部']);
  // include 2.0.0, exclude 1.0.0: what 2.0.0 added, stated as versionsMatch
  const diff = expand(valueSet([v2], [v1]));
  assert.deepEqual(rows(diff), ['04|2.0.0|腹部']);
  assert.deepEqual(parameter(diff, 'versionsMatch'), [true]);
  // the same with versionsMatch=false: 1.0.0's codes are not 2.0.0's codes
  assert.deepEqual(rows(expand(valueSet([v2], [v1], false))).sort(), ['01|2.0.0|头部', '02|2.0.0|颈部(含甲状腺)', '04|2.0.0|腹部']);
  // a versionless whole-system exclude removes every version
  assert.deepEqual(rows(expand(valueSet([v1, v2], [{ system: BODY }]))), []);
});

function validate(vs: ValueSet, coding: { code: string; version?: string; display?: string }): Record<string, unknown> {
  const out: Parameters = validateCode(new OperationContext({ resolver: registry() }), { target: 'valueset', kind: 'coding', codings: [{ system: BODY, ...coding }], valueSet: vs });
  const get = (name: string): unknown => {
    const p = out.parameter?.find((x) => x.name === name);
    return p?.valueBoolean ?? p?.valueString ?? p?.valueCode;
  };
  const issues = (out.parameter?.find((x) => x.name === 'issues')?.resource as { issue?: Array<{ details?: { coding?: Array<{ code?: string }> } }> } | undefined)?.issue ?? [];
  return { result: get('result'), version: get('version'), display: get('display'), types: issues.map((i) => i.details?.coding?.[0]?.code).sort() };
}

test('$validate-code: membership is checked in the version validated against', () => {
  const vs = valueSet([v1, v2]);
  // 04 is in the value set, but only as 2.0.0
  assert.deepEqual(validate(vs, { code: '04', version: '1.0.0' }), { result: false, version: '1.0.0', display: undefined, types: ['invalid-code', 'not-in-vs'] });
  assert.equal(validate(vs, { code: '04', version: '2.0.0' }).result, true);
});

test('$validate-code: a versionless coding is checked against the newest version whose display matches', () => {
  const vs = valueSet([v1, v2]);
  assert.deepEqual(validate(vs, { code: '02' }), { result: true, version: '2.0.0', display: '颈部(含甲状腺)', types: [] });
  assert.deepEqual(validate(vs, { code: '02', display: '颈部' }), { result: true, version: '1.0.0', display: '颈部', types: [] });
  // no version has this display: reported against the newest
  const wrong = validate(vs, { code: '02', display: '颈' });
  assert.equal(wrong.result, false);
  assert.equal(wrong.version, '2.0.0');
  assert.deepEqual(wrong.types, ['invalid-display']);
});

test('a versionless reference means the version supplied with the request, even when a stored one sorts later', () => {
  const stored = new TerminologyRegistry();
  stored.add({ ...bodyPart('2.0.0'), id: 'stored', version: '2024-01-01' });
  const overlay = stored.overlay([bodyPart('2.0.0')]);
  assert.equal(overlay.findCodeSystem(BODY)?.version, '2.0.0');
  assert.equal(overlay.findCodeSystem(BODY, '2024-01-01')?.version, '2024-01-01');
  assert.equal(stored.findCodeSystem(BODY)?.version, '2024-01-01');
  assert.deepEqual(parameter(expand(valueSet([{ system: BODY }]), overlay), 'used-codesystem'), [`${BODY}|2.0.0`]);
});

test('check-system-version selects the version of a versionless include; a pinned include must satisfy it', () => {
  const check: VersionRule[] = [{ system: BODY, version: '1.0.x', mode: 'check' }];
  assert.deepEqual(parameter(expand(valueSet([{ system: BODY }]), registry(), check), 'used-codesystem'), [`${BODY}|1.0.0`]);
  assert.throws(() => expand(valueSet([v2]), registry(), check), /not allowed/);
});
