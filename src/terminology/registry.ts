/**
 * The terminology registry: every CodeSystem, ValueSet and ConceptMap the engine knows, indexed by
 * id and by canonical URL (all versions kept; `url`, `url|version`, `url|major.minor` and wildcard
 * versions resolve). Providers for code systems are built lazily and cached per resource version.
 *
 * Requests that carry `tx-resource` parameters see the registry through a `RequestResolver`
 * overlay: the supplied resources shadow the stored ones for that request only.
 */
import type { CodeSystem, ConceptMap, ValueSet } from 'fhir/r4';
import type { CodeSystemProvider, ProviderFactory } from './codesystems/provider.js';
import { ResourceCodeSystemProvider } from './codesystems/resource-provider.js';
import { pickVersion } from './versions.js';

export type TerminologyResource = CodeSystem | ValueSet | ConceptMap;
type Kind = TerminologyResource['resourceType'];

/** Read access to terminology resources; implemented by the registry and by request overlays. */
export interface Resolver {
  findCodeSystem(url: string, version?: string): CodeSystem | undefined;
  findValueSet(url: string, version?: string): ValueSet | undefined;
  findConceptMap(url: string, version?: string): ConceptMap | undefined;
  /** All known versions of a resource with this URL. */
  versionsOf(kind: Kind, url: string): TerminologyResource[];
  byId(kind: Kind, id: string): TerminologyResource | undefined;
  all(kind: Kind): TerminologyResource[];
  /** The provider for a CodeSystem resource with the given supplements applied. */
  provider(resource: CodeSystem, supplements?: CodeSystem[]): CodeSystemProvider;
  /** Supplements known for a code system URL. */
  supplementsFor(url: string, version?: string): CodeSystem[];
  /** Changes on every registry change: derived data cached under one generation stays valid within it. */
  readonly generation: number;
}

function splitCanonical(url: string, version?: string): [string, string | undefined] {
  const bar = url.indexOf('|');
  if (bar >= 0) return [url.slice(0, bar), version ?? url.slice(bar + 1)];
  return [url, version];
}

class ResourceIndex {
  readonly byUrl = new Map<string, TerminologyResource[]>();
  readonly byId = new Map<string, TerminologyResource>();

  add(res: TerminologyResource, key: string): void {
    this.remove(key);
    this.byId.set(key, res);
    if (!res.url) return;
    const list = (this.byUrl.get(res.url) ?? []).filter((r) => r.version !== res.version);
    list.push(res);
    this.byUrl.set(res.url, list);
  }

  remove(key: string): void {
    const old = this.byId.get(key);
    if (!old) return;
    this.byId.delete(key);
    if (!old.url) return;
    const list = (this.byUrl.get(old.url) ?? []).filter((r) => r !== old);
    if (list.length === 0) this.byUrl.delete(old.url);
    else this.byUrl.set(old.url, list);
  }
}

abstract class BaseResolver implements Resolver {
  abstract versionsOf(kind: Kind, url: string): TerminologyResource[];
  abstract byId(kind: Kind, id: string): TerminologyResource | undefined;
  abstract all(kind: Kind): TerminologyResource[];
  abstract provider(resource: CodeSystem, supplements?: CodeSystem[]): CodeSystemProvider;

  findCodeSystem(url: string, version?: string): CodeSystem | undefined {
    const [u, v] = splitCanonical(url, version);
    const candidates = (this.versionsOf('CodeSystem', u) as CodeSystem[]).filter((c) => c.content !== 'supplement');
    return pickVersion(candidates, v);
  }

  findValueSet(url: string, version?: string): ValueSet | undefined {
    const [u, v] = splitCanonical(url, version);
    return pickVersion(this.versionsOf('ValueSet', u) as ValueSet[], v);
  }

  findConceptMap(url: string, version?: string): ConceptMap | undefined {
    const [u, v] = splitCanonical(url, version);
    return pickVersion(this.versionsOf('ConceptMap', u) as ConceptMap[], v);
  }

  abstract readonly generation: number;

  supplementsFor(url: string, version?: string): CodeSystem[] {
    return supplementsOf(this.all('CodeSystem') as CodeSystem[], url, version);
  }
}

/** The supplements among `candidates` that apply to code system `url` (and `version`, when both state one). */
function supplementsOf(candidates: Iterable<CodeSystem>, url: string, version?: string): CodeSystem[] {
  const out: CodeSystem[] = [];
  for (const cs of candidates) {
    if (cs.content !== 'supplement' || !cs.supplements) continue;
    const [su, sv] = splitCanonical(cs.supplements);
    if (su === url && (sv === undefined || version === undefined || sv === version)) out.push(cs);
  }
  return out;
}

/**
 * Supplement CodeSystems by the base URL of the code system they supplement, each in registry
 * (id insertion) order, so that `supplementsFor` reads one small list instead of scanning every
 * CodeSystem (2,000+ with FHIR core) on each request.
 */
class SupplementIndex {
  private readonly byTarget = new Map<string, Map<string, CodeSystem>>();

  add(id: string, cs: CodeSystem): void {
    if (cs.content !== 'supplement' || !cs.supplements) return;
    const target = splitCanonical(cs.supplements)[0];
    const list = this.byTarget.get(target) ?? new Map<string, CodeSystem>();
    list.set(id, cs);
    this.byTarget.set(target, list);
  }

  remove(id: string, old: CodeSystem | undefined): void {
    if (!old || old.content !== 'supplement' || !old.supplements) return;
    const target = splitCanonical(old.supplements)[0];
    const list = this.byTarget.get(target);
    if (!list) return;
    list.delete(id);
    if (list.size === 0) this.byTarget.delete(target);
  }

  candidates(url: string): Iterable<CodeSystem> {
    return this.byTarget.get(url)?.values() ?? [];
  }
}

export class TerminologyRegistry extends BaseResolver {
  private readonly indexes: Record<Kind, ResourceIndex> = { CodeSystem: new ResourceIndex(), ValueSet: new ResourceIndex(), ConceptMap: new ResourceIndex() };
  private readonly providers = new WeakMap<CodeSystem, CodeSystemProvider>();
  private readonly factories = new Map<string, ProviderFactory>();
  private readonly supplements = new SupplementIndex();
  private anonymous = 0;
  private changes = 0;

  get generation(): number {
    return this.changes;
  }

  /** (Re)indexes one resource version, by id and by url|version. */
  add(resource: TerminologyResource): void {
    const index = this.indexes[resource.resourceType];
    if (!index) return;
    const id = resource.id ?? `anon-${++this.anonymous}`;
    // Re-adding an id moves it to the end of the id order (Map delete + set): mirror that here.
    if (resource.resourceType === 'CodeSystem') this.supplements.remove(id, index.byId.get(id) as CodeSystem | undefined);
    index.add(resource, id);
    if (resource.resourceType === 'CodeSystem') this.supplements.add(id, resource);
    this.changes++;
  }

  remove(resourceType: string, id: string): void {
    const index = this.indexes[resourceType as Kind];
    if (!index) return;
    if (resourceType === 'CodeSystem') this.supplements.remove(id, index.byId.get(id) as CodeSystem | undefined);
    index.remove(id);
    this.changes++;
  }

  /** Registers a provider factory for a code system URL (see codesystems/provider.ts). */
  registerProviderFactory(system: string, factory: ProviderFactory): void {
    this.factories.set(system, factory);
    this.changes++;
  }

  override supplementsFor(url: string, version?: string): CodeSystem[] {
    return supplementsOf(this.supplements.candidates(url), url, version);
  }

  versionsOf(kind: Kind, url: string): TerminologyResource[] {
    return this.indexes[kind].byUrl.get(url) ?? [];
  }

  byId(kind: Kind, id: string): TerminologyResource | undefined {
    return this.indexes[kind].byId.get(id);
  }

  all(kind: Kind): TerminologyResource[] {
    return [...this.indexes[kind].byId.values()];
  }

  provider(resource: CodeSystem, supplements: CodeSystem[] = []): CodeSystemProvider {
    if (supplements.length === 0) {
      const cached = this.providers.get(resource);
      if (cached) return cached;
    }
    const factory = this.factories.get(resource.url ?? '');
    const provider = factory ? factory(resource, supplements) : new ResourceCodeSystemProvider(resource, supplements);
    if (supplements.length === 0) this.providers.set(resource, provider);
    return provider;
  }

  /** Code systems with their versions (for TerminologyCapabilities.codeSystem). */
  codeSystemVersions(): Array<{ url: string; versions: string[] }> {
    const out: Array<{ url: string; versions: string[] }> = [];
    for (const [url, list] of this.indexes.CodeSystem.byUrl) {
      const versions = list.filter((c) => (c as CodeSystem).content !== 'supplement').map((c) => c.version).filter((v): v is string => v !== undefined);
      if (list.some((c) => (c as CodeSystem).content !== 'supplement')) out.push({ url, versions });
    }
    return out.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  }

  /** A per-request view in which `resources` shadow stored ones. */
  overlay(resources: TerminologyResource[]): Resolver {
    return resources.length === 0 ? this : new RequestResolver(this, resources);
  }
}

/** The registry as seen by one request carrying `tx-resource` parameters. */
export class RequestResolver extends BaseResolver {
  private readonly local: Record<Kind, TerminologyResource[]> = { CodeSystem: [], ValueSet: [], ConceptMap: [] };
  private readonly providers = new Map<string, CodeSystemProvider>();

  constructor(
    private readonly base: TerminologyRegistry,
    resources: TerminologyResource[],
  ) {
    super();
    for (const r of resources) this.local[r.resourceType]?.push(r);
  }

  get generation(): number {
    return this.base.generation;
  }

  override supplementsFor(url: string, version?: string): CodeSystem[] {
    return [...this.base.supplementsFor(url, version), ...supplementsOf(this.local.CodeSystem as CodeSystem[], url, version)];
  }

  versionsOf(kind: Kind, url: string): TerminologyResource[] {
    const mine = this.local[kind].filter((r) => r.url === url);
    const theirs = this.base.versionsOf(kind, url).filter((r) => !mine.some((m) => m.version === r.version));
    return [...theirs, ...mine];
  }

  /**
   * A versionless reference means the resource supplied with the request when there is one (the
   * latest of those): the client sent it to be used, even when the server holds a version that
   * sorts later (THO `v3-ActReason` 4.0.0 supplied vs 2018-08-12 stored).
   */
  override findCodeSystem(url: string, version?: string): CodeSystem | undefined {
    return this.preferLocal('CodeSystem', url, version, (c) => (c as CodeSystem).content !== 'supplement') ?? super.findCodeSystem(url, version);
  }

  override findValueSet(url: string, version?: string): ValueSet | undefined {
    return this.preferLocal('ValueSet', url, version) ?? super.findValueSet(url, version);
  }

  override findConceptMap(url: string, version?: string): ConceptMap | undefined {
    return this.preferLocal('ConceptMap', url, version) ?? super.findConceptMap(url, version);
  }

  private preferLocal<T extends TerminologyResource>(kind: Kind, url: string, version: string | undefined, keep: (r: TerminologyResource) => boolean = () => true): T | undefined {
    const [u, v] = splitCanonical(url, version);
    if (v !== undefined && v !== '') return undefined;
    return pickVersion(this.local[kind].filter((r) => r.url === u && keep(r)), undefined) as T | undefined;
  }

  byId(kind: Kind, id: string): TerminologyResource | undefined {
    return this.local[kind].find((r) => r.id === id) ?? this.base.byId(kind, id);
  }

  all(kind: Kind): TerminologyResource[] {
    return [...this.base.all(kind), ...this.local[kind]];
  }

  provider(resource: CodeSystem, supplements: CodeSystem[] = []): CodeSystemProvider {
    if (!this.local.CodeSystem.includes(resource) && !supplements.some((s) => this.local.CodeSystem.includes(s))) {
      return this.base.provider(resource, supplements);
    }
    const key = `${resource.url}|${resource.version}|${supplements.map((s) => `${s.url}|${s.version}`).join(',')}`;
    let p = this.providers.get(key);
    if (!p) {
      p = this.base.provider({ ...resource }, supplements);
      this.providers.set(key, p);
    }
    return p;
  }
}
