/**
 * `GET /metadata` (CapabilityStatement) and `GET /metadata?mode=terminology`
 * (TerminologyCapabilities), built from what is actually mounted: the OperationTable's keys, the
 * search parameter table, whether writes are enabled, and the registry's code systems.
 * Shapes follow the HL7 tx-ecosystem expectations (RUNNING.md §7, tests/capstmt.json and
 * capterms.json in pattern mode: ordered subsequences, so the order of lists below matters).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestResourceOperation, OperationDefinition, TerminologyCapabilities,
} from 'fhir/r4';
import { REPO_ROOT } from '../config.js';
import type { RegistrySink } from './deps.js';
import type { OperationTable } from './operation-types.js';
import { searchParamsFor } from './rest/search-params.js';

/** The tx-ecosystem test release this server is developed against (tests/history.json: "1.90"). */
export const TX_TEST_VERSION = '1.9.0';
const FEATURE = 'http://hl7.org/fhir/uv/application-feature/StructureDefinition/feature';

interface Software {
  name: string;
  version: string;
}

function readSoftware(): Software {
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name?: string; version?: string };
    return { name: pkg.name ?? 'rimag-terminology-server', version: pkg.version ?? '0.0.0' };
  } catch {
    return { name: 'rimag-terminology-server', version: '0.0.0' };
  }
}

/** Operations in the order clients and the tx tests expect to see them. */
const OPERATION_ORDER = ['lookup', 'expand', 'validate-code', 'subsumes', 'translate', 'closure', 'batch-validate-code'];

/** FHIR R4 core OperationDefinition canonicals for the standard terminology operations. */
const CORE_DEFINITIONS: Record<string, string> = {
  'CodeSystem/lookup': 'http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup',
  'CodeSystem/validate-code': 'http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code',
  'CodeSystem/subsumes': 'http://hl7.org/fhir/OperationDefinition/CodeSystem-subsumes',
  'CodeSystem/find-matches': 'http://hl7.org/fhir/OperationDefinition/CodeSystem-find-matches',
  'ValueSet/expand': 'http://hl7.org/fhir/OperationDefinition/ValueSet-expand',
  'ValueSet/validate-code': 'http://hl7.org/fhir/OperationDefinition/ValueSet-validate-code',
  'ConceptMap/translate': 'http://hl7.org/fhir/OperationDefinition/ConceptMap-translate',
  'ConceptMap/closure': 'http://hl7.org/fhir/OperationDefinition/ConceptMap-closure',
  '/versions': 'http://hl7.org/fhir/OperationDefinition/CapabilityStatement-versions',
};

export interface MetadataSources {
  operations: OperationTable;
  registry: Pick<RegistrySink, 'codeSystemVersions'>;
  /** OperationDefinitions from `conformance/` (stored), used for non-core operation canonicals. */
  operationDefinitions: () => Promise<OperationDefinition[]>;
  writesEnabled: boolean;
  /** Canonical base for our own OperationDefinitions when none is stored. */
  canonicalBase: string;
}

const byOrder = (a: string, b: string): number => {
  const ia = OPERATION_ORDER.indexOf(a);
  const ib = OPERATION_ORDER.indexOf(b);
  if (ia !== ib) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  return a < b ? -1 : a > b ? 1 : 0;
};

function operationsOf(table: OperationTable, type: string | undefined, defs: OperationDefinition[], canonicalBase: string): CapabilityStatementRestResourceOperation[] {
  const names = new Set<string>();
  for (const key of Object.keys(table)) {
    const [t, op] = key.includes('/') ? key.split('/$') : [undefined, key.slice(1)];
    if (t === type && op) names.add(op);
  }
  if (type === undefined) names.add('versions');
  return [...names].sort(byOrder).map((name) => {
    const stored = defs.find((d) => d.code === name && (type === undefined ? d.system : d.resource?.includes(type)));
    const definition = CORE_DEFINITIONS[`${type ?? ''}/${name}`] ?? stored?.url ?? `${canonicalBase}/OperationDefinition/${type ?? 'system'}-${name}`;
    return { name, definition };
  });
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export class Metadata {
  private readonly software = readSoftware();
  /** The day this process started: the CapabilityStatement describes this running instance. */
  private readonly started = today();

  constructor(private readonly sources: MetadataSources) {}

  private header(baseUrl: string) {
    return {
      version: this.software.version,
      name: 'RimagTerminologyServer',
      title: 'Rimag imaging terminology server (Q/YMYG 001—2023)',
      status: 'active' as const,
      date: this.started,
      publisher: 'Rimag',
      kind: 'instance' as const,
      software: { name: this.software.name, version: this.software.version, releaseDate: this.started },
      implementation: { description: 'FHIR R4 terminology server for the Rimag imaging examination item standard', url: baseUrl },
    };
  }

  async capabilityStatement(baseUrl: string): Promise<CapabilityStatement> {
    const { operations, writesEnabled, canonicalBase } = this.sources;
    const defs = await this.sources.operationDefinitions();
    const reads = ['read', 'vread', 'search-type', 'history-instance', 'history-type'] as const;
    const writes = writesEnabled ? (['create', 'update', 'delete'] as const) : [];
    const resource = (type: string, interactions: readonly string[]): CapabilityStatementRestResource => {
      const ops = operationsOf(operations, type, defs, canonicalBase);
      return {
        type,
        profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
        interaction: interactions.map((code) => ({ code: code as 'read' })),
        versioning: 'versioned',
        readHistory: true,
        updateCreate: writesEnabled && type !== 'AuditEvent' && type !== 'OperationDefinition',
        conditionalCreate: writesEnabled && type !== 'AuditEvent' && type !== 'OperationDefinition',
        conditionalUpdate: false,
        conditionalDelete: 'not-supported',
        searchParam: [
          ...(type === 'AuditEvent'
            ? [{ name: 'date', type: 'date' as const }, { name: 'entity', type: 'reference' as const }]
            : searchParamsFor(type).map((p) => ({ name: p.name, type: p.type, documentation: p.documentation }))),
        ],
        ...(ops.length ? { operation: ops } : {}),
      };
    };
    const order = (list: readonly string[]) => ['read', 'vread', 'update', 'delete', 'history-instance', 'history-type', 'create', 'search-type'].filter((c) => list.includes(c));
    return {
      resourceType: 'CapabilityStatement',
      extension: [
        { url: FEATURE, extension: [{ url: 'definition', valueCanonical: 'http://hl7.org/fhir/uv/tx-tests/FeatureDefinition/test-version' }, { url: 'value', valueCode: TX_TEST_VERSION }] },
        { url: FEATURE, extension: [{ url: 'definition', valueCanonical: 'http://hl7.org/fhir/uv/tx-ecosystem/FeatureDefinition/CodeSystemAsParameter' }, { url: 'value', valueBoolean: true }] },
      ],
      url: `${baseUrl}/metadata`,
      ...this.header(baseUrl),
      instantiates: ['http://hl7.org/fhir/CapabilityStatement/terminology-server'],
      fhirVersion: '4.0.1',
      format: ['application/fhir+json', 'json'],
      rest: [{
        mode: 'server',
        security: {
          cors: false,
          service: [{ text: 'Bearer token' }],
          description: writesEnabled
            ? 'Reads and operations are open. create/update/delete, AuditEvent and admin actions need Authorization: Bearer <ADMIN_TOKEN>.'
            : 'Read-only: no ADMIN_TOKEN is configured, so create/update/delete and AuditEvent are refused (403).',
        },
        resource: [
          resource('CodeSystem', order([...reads, ...writes])),
          resource('ValueSet', order([...reads, ...writes])),
          resource('ConceptMap', order([...reads, ...writes])),
          resource('OperationDefinition', order(reads)),
          ...(writesEnabled ? [resource('AuditEvent', ['read', 'search-type'])] : []),
        ],
        interaction: [{ code: 'history-system' }],
        operation: operationsOf(operations, undefined, defs, canonicalBase),
      }],
    };
  }

  terminologyCapabilities(baseUrl: string): TerminologyCapabilities {
    const expansionParameters = [
      'activeOnly', 'check-system-version', 'count', 'default-valueset-version', 'designation', 'displayLanguage', 'excludeNested',
      'filter', 'force-system-version', 'includeDefinition', 'includeDesignations', 'offset', 'property', 'system-version', 'tx-resource',
    ];
    return {
      resourceType: 'TerminologyCapabilities',
      url: `${baseUrl}/metadata?mode=terminology`,
      ...this.header(baseUrl),
      codeSystem: this.sources.registry.codeSystemVersions().map(({ url, versions }) => ({
        uri: url,
        ...(versions.length ? { version: versions.map((code) => ({ code })) } : {}),
      })),
      expansion: {
        hierarchical: true,
        paging: true,
        incomplete: false,
        parameter: expansionParameters.map((name) => ({ name })),
        textFilter: 'Matches words and prefixes in displays and designations, insensitive to case, width (full/half) and bracket forms; Chinese text matched by substring.',
      },
      codeSearch: 'all',
      validateCode: { translations: true },
      translation: { needsMap: false },
    };
  }
}
