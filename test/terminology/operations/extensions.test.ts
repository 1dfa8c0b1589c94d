/**
 * What the engine does with concept and designation extensions and supplements (the behaviour the
 * HL7 tx-ecosystem `extensions`, `parameters` and `deprecated` suites check), on a small synthetic
 * code system so that it runs without ../shared.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CodeSystem, Extension, Parameters, ParametersParameter, ValueSet } from 'fhir/r4';
import { TerminologyError } from '../../../src/errors.js';
import { OperationContext } from '../../../src/terminology/context.js';
import { expandValueSet } from '../../../src/terminology/operations/expand.js';
import { lookupCode } from '../../../src/terminology/operations/lookup.js';
import { validateCode } from '../../../src/terminology/operations/validate-code.js';
import { TerminologyRegistry } from '../../../src/terminology/registry.js';

const SD = 'http://hl7.org/fhir/StructureDefinition/';
const XV = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.';
const SYSTEM = 'http://example.org/CodeSystem/ext';
const SUPPLEMENT = 'http://example.org/CodeSystem/ext-supplement';

function codeSystem(): CodeSystem {
  return {
    resourceType: 'CodeSystem',
    url: SYSTEM,
    status: 'active',
    content: 'complete',
    language: 'en',
    concept: [
      {
        code: 'a',
        display: 'Alpha',
        extension: [{ url: `${SD}codesystem-conceptOrder`, valueInteger: 2 }],
        designation: [{ language: 'de', value: 'Alpha (alt)', extension: [{ url: `${SD}structuredefinition-standards-status`, valueCode: 'withdrawn' }] }],
      },
      { code: 'b', display: 'Beta', extension: [{ url: `${SD}structuredefinition-standards-status`, valueCode: 'deprecated' }] },
    ],
  };
}

function supplement(): CodeSystem {
  return {
    resourceType: 'CodeSystem',
    url: SUPPLEMENT,
    version: '1.0',
    status: 'active',
    content: 'supplement',
    supplements: SYSTEM,
    concept: [{ code: 'a', designation: [{ language: 'nl', value: 'Alfa' }], extension: [{ url: `${SD}codesystem-label`, valueString: 'A.' }] }],
  };
}

function noLanguage(): CodeSystem {
  return { resourceType: 'CodeSystem', url: 'http://example.org/CodeSystem/plain', status: 'active', content: 'complete', concept: [{ code: 'x', display: 'Ex' }] };
}

function setup(displayLanguage?: string): { registry: TerminologyRegistry; ctx: OperationContext } {
  const registry = new TerminologyRegistry();
  registry.add(codeSystem());
  registry.add(supplement());
  registry.add(noLanguage());
  return { registry, ctx: new OperationContext({ resolver: registry, displayLanguage }) };
}

const param = (p: Parameters, name: string): ParametersParameter | undefined => p.parameter?.find((x) => x.name === name);
const subValue = (ext: Extension, url: string): unknown => {
  const sub = ext.extension?.find((e) => e.url === url);
  return sub ? Object.entries(sub).find(([k]) => k.startsWith('value'))?.[1] : undefined;
};

test('$expand: properties derived from extensions, the value set concept extensions, designation extensions; root extensions dropped', () => {
  const { ctx } = setup();
  const vs: ValueSet = {
    resourceType: 'ValueSet',
    url: 'http://example.org/ValueSet/ext',
    status: 'active',
    extension: [{ url: `${SD}valueset-supplement`, valueCanonical: SUPPLEMENT }],
    compose: {
      include: [
        {
          system: SYSTEM,
          concept: [
            { code: 'a', extension: [{ url: `${SD}valueset-deprecated`, valueBoolean: true }, { url: `${SD}valueset-conceptOrder`, valueInteger: 0 }] },
            { code: 'b' },
          ],
        },
      ],
    },
  };
  const out = expandValueSet(ctx, { valueSet: vs, includeDesignations: true, supplements: [SUPPLEMENT], echo: [] });
  assert.equal(out.extension, undefined, 'root extensions are left out unless includeDefinition');
  const [a, b] = out.expansion!.contains!;
  const props = (c: typeof a): Record<string, unknown> =>
    Object.fromEntries((c!.extension ?? []).filter((e) => e.url === `${XV}contains.property`).map((e) => [subValue(e, 'code'), subValue(e, 'value')]));
  assert.deepEqual(props(a), { order: 0, label: 'A.' });
  assert.deepEqual(props(b), { status: 'deprecated' });
  assert.ok(a!.extension!.some((e) => e.url === `${SD}valueset-deprecated`));
  const withdrawn = a!.designation!.find((d) => d.value === 'Alpha (alt)');
  assert.equal(withdrawn?.extension?.[0]?.valueCode, 'withdrawn');
  const declared = (out.expansion!.extension ?? []).filter((e) => e.url === `${XV}property`).map((e) => subValue(e, 'code'));
  assert.deepEqual(new Set(declared), new Set(['order', 'label', 'status']));
  const kept = expandValueSet(ctx, { valueSet: vs, includeDefinition: true, supplements: [SUPPLEMENT], echo: [] });
  assert.equal(kept.extension?.[0]?.url, `${SD}valueset-supplement`);
});

test('$expand: designation=urn:ietf:bcp:47|de selects designations in exactly that language; weighted language lists are echoed normalised', () => {
  const { ctx } = setup();
  const vs: ValueSet = { resourceType: 'ValueSet', url: 'http://example.org/ValueSet/all', status: 'active', compose: { include: [{ system: SYSTEM }] } };
  const out = expandValueSet(ctx, { valueSet: vs, designations: ['urn:ietf:bcp:47|nl'], supplements: [SUPPLEMENT], echo: [{ name: 'displayLanguage', valueCode: 'de,*; q=0' }] });
  const a = out.expansion!.contains!.find((c) => c.code === 'a');
  assert.deepEqual(a!.designation, [{ language: 'nl', value: 'Alfa' }]);
  assert.equal(out.expansion!.parameter![0]!.valueCode, 'de, *; q=0');
});

test('$lookup: the display is a designation in the code system language; supplement designations name their source', () => {
  const { registry, ctx } = setup();
  const provider = registry.provider(registry.findCodeSystem(SYSTEM)!, [supplement()]);
  const out = lookupCode(ctx, { provider, code: 'a', properties: [] });
  const designations = (out.parameter ?? []).filter((p) => p.name === 'designation').map((p) => Object.fromEntries((p.part ?? []).map((x) => [x.name, x.valueCode ?? x.valueString ?? x.valueCanonical ?? x.valueCoding?.code])));
  assert.ok(designations.some((d) => d.language === 'en' && d.value === 'Alpha' && d.use === 'preferredForLanguage'));
  assert.ok(designations.some((d) => d.language === 'nl' && d.source === `${SUPPLEMENT}|1.0`));
  assert.equal(param(out, 'used-supplement')?.valueCanonical, `${SUPPLEMENT}|1.0`);
});

test('$validate-code: a deprecated concept is valid with a warning and status; a withdrawn designation is a display comment', () => {
  const { ctx } = setup();
  const deprecated = validateCode(ctx, { target: 'codesystem', kind: 'code', codings: [{ system: SYSTEM, code: 'b' }] });
  assert.equal(param(deprecated, 'result')?.valueBoolean, true);
  assert.equal(param(deprecated, 'status')?.valueCode, 'deprecated');
  assert.equal(param(deprecated, 'message')?.valueString, "The concept 'b' is deprecated and its use should be reviewed");
  const display = validateCode(ctx, { target: 'codesystem', kind: 'code', codings: [{ system: SYSTEM, code: 'a', display: 'Alpha (alt)' }] });
  assert.equal(param(display, 'result')?.valueBoolean, true);
  const issue = (param(display, 'issues')?.resource as { issue: Array<{ severity: string; details: { text: string } }> }).issue[0]!;
  assert.equal(issue.severity, 'warning');
  assert.equal(issue.details.text, `'Alpha (alt)' is no longer considered a correct display for code 'a' (status = deprecated). The correct display is one of "Alpha".`);
});

test('$validate-code: a supplement is not a code system; a display of a code system without a language suits any language; a bad displayLanguage is a 400', () => {
  const { ctx } = setup();
  const supp = validateCode(ctx, { target: 'codesystem', kind: 'coding', codings: [{ system: SUPPLEMENT, code: 'a' }] });
  assert.equal(param(supp, 'result')?.valueBoolean, false);
  assert.match(param(supp, 'message')?.valueString ?? '', /^CodeSystem http:\/\/example.org\/CodeSystem\/ext-supplement\|1.0 is a supplement/);
  const german = setup('de').ctx;
  const plain = validateCode(german, { target: 'codesystem', kind: 'coding', codings: [{ system: 'http://example.org/CodeSystem/plain', code: 'x', display: 'Ex' }] });
  assert.equal(param(plain, 'result')?.valueBoolean, true);
  assert.equal(param(plain, 'issues'), undefined);
  assert.throws(
    () => validateCode(setup('-').ctx, { target: 'codesystem', kind: 'code', codings: [{ system: SYSTEM, code: 'a' }] }),
    (err: unknown) => err instanceof TerminologyError && err.status === 400 && /Invalid displayLanguage: '-'/.test(err.message),
  );
});
