/**
 * Releases: an explicit, named snapshot of the published terminology.
 *
 * A release pins one version of each published resource (CodeSystem/ValueSet/ConceptMap whose
 * canonical url is under the canonical base and that is not tagged local): for each canonical url
 * the newest business version currently in the store. It records the store's versionId of each,
 * so the release can be rebuilt byte-for-byte later (vread), and a change report against the
 * previous release.
 *
 * Storage (docs/sync.md): manifests live in the store's key/value space, not as FHIR resources,
 * so that they never appear in the `_history` change feed that subscribers follow:
 *   `sync.release.<name>` → ReleaseManifest,  `sync.releases` → names in creation order.
 */
import type { CodeSystem, Resource } from 'fhir/r4';
import { ConflictError, InvalidRequestError, NotFoundError } from '../errors.js';
import type { KeyValueStore, ResourceStore, ResourceVersion } from '../store/store.js';
import { diffCodeSystems, type CodeSystemChanges } from './changes.js';
import { resourceHash } from './hash.js';
import { canonicalUrl, compareVersions, isStandardResource, resourceVersion, TERMINOLOGY_TYPES } from './origin.js';

export interface ReleaseResourceRef {
  resourceType: string;
  id: string;
  /** The store's versionId of the pinned version (vread). */
  versionId: number;
  url: string;
  version?: string;
  name?: string;
  title?: string;
  status?: string;
  /** SHA-256 of the canonical content without meta (src/sync/hash.ts). */
  contentHash: string;
}

export interface ChangeReport {
  previousRelease?: string;
  /** Resources by `url|version` new in this release, dropped from it, or whose content changed. */
  resourcesAdded: string[];
  resourcesRemoved: string[];
  resourcesChanged: string[];
  /** The exam-item CodeSystem diff (the standard's headline list), when it is in both or this release. */
  examItems?: CodeSystemChanges;
  /** Concept diffs of every CodeSystem whose content differs from the previous release's same url. */
  codeSystems: CodeSystemChanges[];
}

export interface ReleaseManifest {
  name: string;
  packageName: string;
  /** SemVer version of the FHIR NPM package (release name without a leading V). */
  packageVersion: string;
  createdAt: string;
  createdBy: string;
  description?: string;
  canonicalBase: string;
  previous?: string;
  resources: ReleaseResourceRef[];
  changes: ChangeReport;
}

export interface ReleaseSummary {
  name: string;
  packageName: string;
  packageVersion: string;
  createdAt: string;
  resourceCount: number;
  added: number;
  retired: number;
  renamed: number;
}

export interface ReleaseServiceOptions {
  store: { resources: ResourceStore; kv: KeyValueStore };
  canonicalBase: string;
  /** FHIR package id, e.g. `rimag.imaging.terminology`. */
  packageName: string;
  /** Canonical url of the exam-item CodeSystem (default `{base}/CodeSystem/exam-item`). */
  examItemUrl?: string;
}

export interface CreateReleaseInput {
  name: string;
  actor: string;
  description?: string;
  /** Defaults to the release name without a leading V/v. */
  packageVersion?: string;
  now?: Date;
}

const INDEX_KEY = 'sync.releases';
const manifestKey = (name: string): string => `sync.release.${name}`;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SEMVER_RE = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

export function summarise(m: ReleaseManifest): ReleaseSummary {
  const exam = m.changes.examItems;
  return {
    name: m.name,
    packageName: m.packageName,
    packageVersion: m.packageVersion,
    createdAt: m.createdAt,
    resourceCount: m.resources.length,
    added: exam?.added.length ?? 0,
    retired: exam?.retired.length ?? 0,
    renamed: exam?.renamed.length ?? 0,
  };
}

const refKey = (r: { url: string; version?: string }): string => `${r.url}|${r.version ?? ''}`;

export class ReleaseService {
  readonly canonicalBase: string;
  readonly packageName: string;
  readonly examItemUrl: string;
  private readonly store: ReleaseServiceOptions['store'];

  constructor(options: ReleaseServiceOptions) {
    this.store = options.store;
    this.canonicalBase = options.canonicalBase.replace(/\/+$/, '');
    this.packageName = options.packageName;
    this.examItemUrl = options.examItemUrl ?? `${this.canonicalBase}/CodeSystem/exam-item`;
  }

  async listNames(): Promise<string[]> {
    return (await this.store.kv.get<string[]>(INDEX_KEY)) ?? [];
  }

  async list(): Promise<ReleaseSummary[]> {
    const out: ReleaseSummary[] = [];
    for (const name of await this.listNames()) {
      const m = await this.get(name);
      if (m) out.push(summarise(m));
    }
    return out;
  }

  async get(name: string): Promise<ReleaseManifest | undefined> {
    return this.store.kv.get<ReleaseManifest>(manifestKey(name));
  }

  async latest(): Promise<ReleaseManifest | undefined> {
    const names = await this.listNames();
    const last = names[names.length - 1];
    return last === undefined ? undefined : this.get(last);
  }

  /** The release whose package has this SemVer version. */
  async byPackageVersion(version: string): Promise<ReleaseManifest | undefined> {
    for (const name of await this.listNames()) {
      const m = await this.get(name);
      if (m?.packageVersion === version) return m;
    }
    return undefined;
  }

  /** The current published resources: per canonical url, the newest business version. */
  async selectPublished(): Promise<ResourceVersion[]> {
    const byUrl = new Map<string, ResourceVersion>();
    for (const type of TERMINOLOGY_TYPES) {
      for (const v of await this.store.resources.listCurrent(type)) {
        if (v.deleted || !isStandardResource(v.resource, this.canonicalBase)) continue;
        const url = canonicalUrl(v.resource)!;
        const seen = byUrl.get(url);
        if (!seen || compareVersions(resourceVersion(seen.resource), resourceVersion(v.resource)) < 0) byUrl.set(url, v);
      }
    }
    return [...byUrl.values()].sort((a, b) => (a.resourceType + a.id < b.resourceType + b.id ? -1 : 1));
  }

  /** Loads the pinned version of each resource of a release. */
  async loadResources(manifest: ReleaseManifest): Promise<Resource[]> {
    const out: Resource[] = [];
    for (const ref of manifest.resources) {
      const v = await this.store.resources.vread(ref.resourceType, ref.id, ref.versionId);
      if (!v) throw new NotFoundError(`Release ${manifest.name}: ${ref.resourceType}/${ref.id}/_history/${ref.versionId} is no longer in the store`);
      out.push(v.resource);
    }
    return out;
  }

  async create(input: CreateReleaseInput): Promise<ReleaseManifest> {
    if (!NAME_RE.test(input.name)) throw new InvalidRequestError(`Release name '${input.name}' must match ${NAME_RE.source}`);
    const packageVersion = input.packageVersion ?? input.name.replace(/^[Vv]/, '');
    if (!SEMVER_RE.test(packageVersion)) {
      throw new InvalidRequestError(`Package version '${packageVersion}' is not SemVer (x.y.z); pass packageVersion explicitly`);
    }
    if (await this.get(input.name)) throw new ConflictError(`Release '${input.name}' already exists`, 409);
    if (await this.byPackageVersion(packageVersion)) throw new ConflictError(`A release with package version ${packageVersion} already exists`, 409);

    const published = await this.selectPublished();
    if (published.length === 0) throw new InvalidRequestError(`No published resources under ${this.canonicalBase} to release`);
    const refs = published.map((v) => toRef(v));
    const previous = await this.latest();
    const manifest: ReleaseManifest = {
      name: input.name,
      packageName: this.packageName,
      packageVersion,
      createdAt: (input.now ?? new Date()).toISOString(),
      createdBy: input.actor,
      ...(input.description ? { description: input.description } : {}),
      canonicalBase: this.canonicalBase,
      ...(previous ? { previous: previous.name } : {}),
      resources: refs,
      changes: await this.changeReport(previous, published),
    };
    await this.store.kv.set(manifestKey(manifest.name), manifest);
    await this.store.kv.set(INDEX_KEY, [...(await this.listNames()), manifest.name]);
    return manifest;
  }

  private async changeReport(previous: ReleaseManifest | undefined, current: ResourceVersion[]): Promise<ChangeReport> {
    const prevRefs = new Map((previous?.resources ?? []).map((r) => [r.url, r]));
    const nowRefs = new Map(current.map((v) => [canonicalUrl(v.resource)!, toRef(v)]));
    const report: ChangeReport = {
      ...(previous ? { previousRelease: previous.name } : {}),
      resourcesAdded: [],
      resourcesRemoved: [],
      resourcesChanged: [],
      codeSystems: [],
    };
    for (const [url, ref] of nowRefs) {
      const before = prevRefs.get(url);
      if (!before) report.resourcesAdded.push(refKey(ref));
      else if (before.contentHash !== ref.contentHash || before.version !== ref.version) report.resourcesChanged.push(refKey(ref));
    }
    for (const [url, ref] of prevRefs) if (!nowRefs.has(url)) report.resourcesRemoved.push(refKey(ref));

    for (const v of current) {
      if (v.resourceType !== 'CodeSystem') continue;
      const url = canonicalUrl(v.resource)!;
      const before = prevRefs.get(url);
      const isExam = url === this.examItemUrl;
      if (before && before.contentHash === toRef(v).contentHash) {
        if (isExam) report.examItems = { url, ...versions(before.version, before.version), added: [], retired: [], renamed: [] };
        continue;
      }
      let prevCs: CodeSystem | undefined;
      if (before) prevCs = (await this.store.resources.vread('CodeSystem', before.id, before.versionId))?.resource as CodeSystem | undefined;
      // The first release has no baseline: its exam-item report lists every item as added.
      const diff = diffCodeSystems(prevCs, v.resource as CodeSystem);
      if (isExam) report.examItems = diff;
      if (before) report.codeSystems.push(diff);
    }
    return report;
  }
}

function versions(from: string | undefined, to: string | undefined): { fromVersion?: string; toVersion?: string } {
  return { ...(from !== undefined ? { fromVersion: from } : {}), ...(to !== undefined ? { toVersion: to } : {}) };
}

function toRef(v: ResourceVersion): ReleaseResourceRef {
  const r = v.resource as Resource & { url?: string; version?: string; name?: string; title?: string; status?: string };
  return {
    resourceType: v.resourceType,
    id: v.id,
    versionId: v.versionId,
    url: r.url ?? '',
    ...(r.version !== undefined ? { version: r.version } : {}),
    ...(r.name !== undefined ? { name: r.name } : {}),
    ...(r.title !== undefined ? { title: r.title } : {}),
    ...(r.status !== undefined ? { status: r.status } : {}),
    contentHash: resourceHash(r),
  };
}
