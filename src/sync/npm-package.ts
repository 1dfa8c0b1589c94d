/**
 * FHIR NPM package of a release (FHIR R4 §packages, and the NPM Package Specification on
 * confluence.hl7.org): a gzipped tar with
 *   package/package.json   – manifest: name, version, fhirVersions, dependencies, canonical …
 *   package/.index.json    – index-version 2: one row per resource file
 *   package/<Type>-<id>.json – one resource per file
 *   package/other/change-report.json – the release's change report (not a FHIR resource)
 * HAPI's NpmPackage (org.hl7.fhir.utilities) reads it: test/sync/npm-package-java.test.ts.
 */
import type { Resource } from 'fhir/r4';
import { createTgz, type TarEntry } from './tar.js';
import { sha256Hex } from './hash.js';
import type { ReleaseManifest } from './release.js';

export const FHIR_VERSION = '4.0.1';

export interface PackageFile {
  filename: string;
  resourceType: string;
  id: string;
  url?: string;
  version?: string;
  /** The exact bytes in the package (the feed links and hashes these). */
  bytes: Buffer;
  sha256: string;
}

export interface BuiltPackage {
  name: string;
  version: string;
  /** `<name>-<version>.tgz` */
  filename: string;
  tgz: Buffer;
  sha256: string;
  files: PackageFile[];
  packageJson: Record<string, unknown>;
}

export interface PackageMetadata {
  title?: string;
  description?: string;
  author?: string;
}

/** `YYYYMMDDhhmmss`, the date format of package.json `date`. */
function packageDate(iso: string): string {
  return iso.replace(/[-:T]/g, '').slice(0, 14);
}

export function packageFileName(resource: Resource): string {
  return `${resource.resourceType}-${resource.id ?? 'unknown'}.json`;
}

function indexRow(file: PackageFile, resource: Resource): Record<string, unknown> {
  const row: Record<string, unknown> = { filename: file.filename, resourceType: file.resourceType, id: file.id };
  if (file.url !== undefined) row.url = file.url;
  if (file.version !== undefined) row.version = file.version;
  const r = resource as unknown as Record<string, unknown>;
  // kind/type only exist on StructureDefinition; CodeSystems carry content/supplements in index v2.
  for (const key of ['kind', 'type', 'content', 'supplements'] as const) {
    if (typeof r[key] === 'string' && (resource.resourceType === 'StructureDefinition' || key === 'content' || key === 'supplements')) row[key] = r[key];
  }
  return row;
}

export function buildNpmPackage(manifest: ReleaseManifest, resources: Resource[], meta: PackageMetadata = {}): BuiltPackage {
  const files: PackageFile[] = resources.map((resource) => {
    const bytes = Buffer.from(JSON.stringify(resource, null, 2), 'utf8');
    const r = resource as { url?: string; version?: string };
    return {
      filename: packageFileName(resource),
      resourceType: resource.resourceType,
      id: resource.id ?? '',
      ...(r.url !== undefined ? { url: r.url } : {}),
      ...(r.version !== undefined ? { version: r.version } : {}),
      bytes,
      sha256: sha256Hex(bytes),
    };
  });
  const index = { 'index-version': 2, files: files.map((f, i) => indexRow(f, resources[i]!)) };
  const packageJson: Record<string, unknown> = {
    name: manifest.packageName,
    version: manifest.packageVersion,
    'tools-version': 3,
    type: 'Conformance',
    date: packageDate(manifest.createdAt),
    canonical: manifest.canonicalBase,
    url: manifest.canonicalBase,
    title: meta.title ?? 'Q/YMYG 001—2023 imaging examination item terminology',
    description:
      meta.description ??
      `Release ${manifest.name} of the Rimag medical imaging examination item names and coding standard: CodeSystems, ValueSets and ConceptMaps.`,
    author: meta.author ?? 'Rimag (一脉阳光)',
    fhirVersions: [FHIR_VERSION],
    dependencies: { 'hl7.fhir.r4.core': FHIR_VERSION },
    jurisdiction: 'urn:iso:std:iso:3166#CN',
    keywords: ['terminology', 'imaging', 'radiology', 'Q/YMYG 001-2023'],
  };
  const entries: TarEntry[] = [
    { name: 'package/package.json', data: Buffer.from(JSON.stringify(packageJson, null, 2), 'utf8') },
    { name: 'package/.index.json', data: Buffer.from(JSON.stringify(index, null, 2), 'utf8') },
    ...files.map((f) => ({ name: `package/${f.filename}`, data: f.bytes })),
    { name: 'package/other/change-report.json', data: Buffer.from(JSON.stringify({ release: manifest.name, ...manifest.changes }, null, 2), 'utf8') },
  ];
  const tgz = createTgz(entries, new Date(manifest.createdAt));
  return {
    name: manifest.packageName,
    version: manifest.packageVersion,
    filename: `${manifest.packageName}-${manifest.packageVersion}.tgz`,
    tgz,
    sha256: sha256Hex(tgz),
    files,
    packageJson,
  };
}
