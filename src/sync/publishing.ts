/**
 * The publishing side as one object for the HTTP layer (src/fhir/publish/ receives it through
 * its deps): releases, their packages (built on demand from pinned versions, cached by release)
 * and the syndication feed.
 */
import { buildNpmPackage, type BuiltPackage, type PackageMetadata } from './npm-package.js';
import { renderFeed } from './feed.js';
import { ReleaseService, type CreateReleaseInput, type ReleaseManifest, type ReleaseSummary } from './release.js';

export interface Publisher {
  readonly packageName: string;
  listReleases(): Promise<ReleaseSummary[]>;
  getRelease(name: string): Promise<ReleaseManifest | undefined>;
  createRelease(input: CreateReleaseInput): Promise<ReleaseManifest>;
  /** The package of a release, by release name or by package version. */
  getPackage(ref: { release?: string; version?: string }): Promise<{ manifest: ReleaseManifest; pkg: BuiltPackage } | undefined>;
  renderFeed(options: { fhirBase: string; feedUrl: string }): Promise<string>;
}

export class PublishingService implements Publisher {
  private readonly cache = new Map<string, BuiltPackage>();

  constructor(
    readonly releases: ReleaseService,
    private readonly meta: PackageMetadata = {},
  ) {}

  get packageName(): string {
    return this.releases.packageName;
  }

  listReleases(): Promise<ReleaseSummary[]> {
    return this.releases.list();
  }

  getRelease(name: string): Promise<ReleaseManifest | undefined> {
    return this.releases.get(name);
  }

  createRelease(input: CreateReleaseInput): Promise<ReleaseManifest> {
    return this.releases.create(input);
  }

  async getPackage(ref: { release?: string; version?: string }): Promise<{ manifest: ReleaseManifest; pkg: BuiltPackage } | undefined> {
    const manifest = ref.release !== undefined ? await this.releases.get(ref.release) : ref.version !== undefined ? await this.releases.byPackageVersion(ref.version) : undefined;
    if (!manifest) return undefined;
    return { manifest, pkg: await this.packageOf(manifest) };
  }

  async renderFeed(options: { fhirBase: string; feedUrl: string }): Promise<string> {
    const releases = [];
    for (const name of await this.releases.listNames()) {
      const manifest = await this.releases.get(name);
      if (manifest) releases.push({ manifest, pkg: await this.packageOf(manifest) });
    }
    return renderFeed({ ...options, releases });
  }

  private async packageOf(manifest: ReleaseManifest): Promise<BuiltPackage> {
    // Keyed by name and creation time: a release is immutable once created.
    const key = `${manifest.name}|${manifest.createdAt}`;
    let pkg = this.cache.get(key);
    if (!pkg) {
      pkg = buildNpmPackage(manifest, await this.releases.loadResources(manifest), this.meta);
      this.cache.set(key, pkg);
    }
    return pkg;
  }
}
