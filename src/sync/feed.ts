/**
 * Atom 1.0 syndication feed (RFC 4287) in the style Ontoserver consumes: the NCTS Atom
 * Syndication Format profile (namespace `ncts:`), as documented by the FHIR Terminology
 * Syndication Feed IG (feed-format, entry-format and ncts-extensions pages).
 *
 * One entry per resource version published in any release (contentItemIdentifier = canonical
 * url, contentItemVersion = `url|version`), plus one entry per release package (FHIR_Package).
 * Each entry links the exact bytes (package file or .tgz) with `length` and `ncts:sha256Hash`,
 * so consumers can verify what they download; resource entries also link the FHIR vread.
 */
import { nameUuid } from './hash.js';
import { FHIR_VERSION, type BuiltPackage } from './npm-package.js';
import type { ReleaseManifest } from './release.js';

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
export const NCTS_NS = 'http://ns.electronichealth.net.au/ncts/syndication/asf/extensions/1.0.0';
export const NCTS_SCHEME = 'http://ns.electronichealth.net.au/ncts/syndication/asf/scheme/1.0.0';
export const NCTS_PROFILE = 'http://ns.electronichealth.net.au/ncts/syndication/asf/profile/1.0.0';

export interface FeedRelease {
  manifest: ReleaseManifest;
  pkg: BuiltPackage;
}

export interface FeedOptions {
  /** Public FHIR base of this server, e.g. `https://tx.example.org/fhir`. */
  fhirBase: string;
  /** Absolute URL of the feed itself. */
  feedUrl: string;
  /** Releases in creation order (oldest first). */
  releases: FeedRelease[];
  title?: string;
}

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function packageFileUrl(fhirBase: string, manifest: ReleaseManifest, filename: string): string {
  return `${fhirBase}/packages/${encodeURIComponent(manifest.packageName)}/${encodeURIComponent(manifest.packageVersion)}/${encodeURIComponent(filename)}`;
}

export function packageTarballUrl(fhirBase: string, manifest: ReleaseManifest): string {
  return `${fhirBase}/packages/${encodeURIComponent(manifest.packageName)}/${encodeURIComponent(manifest.packageVersion)}`;
}

interface EntryInit {
  key: string;
  title: string;
  summary: string;
  updated: string;
  term: string;
  links: Array<{ rel: string; type: string; href: string; length?: number; sha256?: string }>;
  identifier: string;
  version: string;
}

function entryXml(e: EntryInit): string {
  const links = e.links
    .map((l) => {
      const extra = `${l.length !== undefined ? ` length="${l.length}"` : ''}${l.sha256 ? ` ncts:sha256Hash="${l.sha256}"` : ''}`;
      return `    <link rel="${l.rel}" type="${xmlEscape(l.type)}" href="${xmlEscape(l.href)}"${extra}/>`;
    })
    .join('\n');
  return [
    '  <entry>',
    `    <id>urn:uuid:${nameUuid(e.key)}</id>`,
    `    <title>${xmlEscape(e.title)}</title>`,
    `    <summary>${xmlEscape(e.summary)}</summary>`,
    `    <updated>${e.updated}</updated>`,
    `    <published>${e.updated}</published>`,
    `    <category term="${e.term}" label="${e.term.replace('_', ' ')}" scheme="${NCTS_SCHEME}"/>`,
    links,
    `    <ncts:contentItemIdentifier>${xmlEscape(e.identifier)}</ncts:contentItemIdentifier>`,
    `    <ncts:contentItemVersion>${xmlEscape(e.version)}</ncts:contentItemVersion>`,
    `    <ncts:fhirVersion>${FHIR_VERSION}</ncts:fhirVersion>`,
    '  </entry>',
  ].join('\n');
}

/** Entries for every distinct resource version, first published release wins (newest first in the feed). */
function resourceEntries(options: FeedOptions): EntryInit[] {
  const byVersion = new Map<string, EntryInit>();
  for (const { manifest, pkg } of options.releases) {
    const files = new Map(pkg.files.map((f) => [`${f.resourceType}/${f.id}`, f]));
    for (const ref of manifest.resources) {
      const itemVersion = `${ref.url}|${ref.version ?? ''}`;
      const seen = byVersion.get(itemVersion);
      // Same url|version and same content: keep the first release's entry (stable id and date).
      if (seen && seen.key.endsWith(ref.contentHash)) continue;
      const file = files.get(`${ref.resourceType}/${ref.id}`);
      if (!file) continue;
      byVersion.set(itemVersion, {
        key: `${itemVersion}|${ref.contentHash}`,
        title: `${ref.title ?? ref.name ?? ref.id} ${ref.version ?? ''}`.trim(),
        summary: `${ref.resourceType} ${ref.url} version ${ref.version ?? '(none)'}, first published in release ${manifest.name}`,
        updated: manifest.createdAt,
        term: `FHIR_${ref.resourceType}`,
        links: [
          { rel: 'alternate', type: 'application/fhir+json', href: packageFileUrl(options.fhirBase, manifest, file.filename), length: file.bytes.length, sha256: file.sha256 },
          { rel: 'related', type: 'application/fhir+json', href: `${options.fhirBase}/${ref.resourceType}/${encodeURIComponent(ref.id)}/_history/${ref.versionId}` },
        ],
        identifier: ref.url,
        version: itemVersion,
      });
    }
  }
  return [...byVersion.values()];
}

function packageEntries(options: FeedOptions): EntryInit[] {
  return options.releases.map(({ manifest, pkg }) => ({
    key: `package|${manifest.packageName}|${manifest.packageVersion}|${pkg.sha256}`,
    title: `${manifest.packageName}#${manifest.packageVersion} (release ${manifest.name})`,
    summary: `FHIR NPM package of release ${manifest.name}: ${manifest.resources.length} resources`,
    updated: manifest.createdAt,
    term: 'FHIR_Package',
    links: [{ rel: 'alternate', type: 'application/tar+gzip', href: packageTarballUrl(options.fhirBase, manifest), length: pkg.tgz.length, sha256: pkg.sha256 }],
    identifier: manifest.packageName,
    version: manifest.packageVersion,
  }));
}

export function renderFeed(options: FeedOptions): string {
  const entries = [...packageEntries(options), ...resourceEntries(options)].sort((a, b) =>
    a.updated === b.updated ? (a.title < b.title ? -1 : 1) : a.updated < b.updated ? 1 : -1,
  );
  const updated = entries[0]?.updated ?? new Date(0).toISOString();
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed xmlns="${ATOM_NS}" xmlns:ncts="${NCTS_NS}">`,
    `  <id>urn:uuid:${nameUuid(`feed|${options.feedUrl}`)}</id>`,
    `  <title>${xmlEscape(options.title ?? 'Q/YMYG 001—2023 imaging terminology syndication feed')}</title>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlEscape(options.feedUrl)}"/>`,
    `  <updated>${updated}</updated>`,
    '  <author><name>Rimag (一脉阳光)</name></author>',
    '  <generator>rimag-terminology-server</generator>',
    `  <ncts:atomSyndicationFormatProfile>${NCTS_PROFILE}</ncts:atomSyndicationFormatProfile>`,
    ...entries.map(entryXml),
    '</feed>',
    '',
  ].join('\n');
}
