/**
 * Loads the FHIR content shipped with the server (`codesystems/`, `valuesets/`, `conformance/`,
 * recursively) into the store at start. Idempotent by content: `putIfChanged` compares the
 * canonical hash without `meta`, so a restart writes no new versions unless a file changed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Resource } from 'fhir/r4';
import type { ResourceStore, ResourceVersion } from '../store/store.js';

export interface LoadContentOptions {
  /** Folder that relative `dirs` are resolved against (default: process.cwd()). */
  baseDir?: string;
  /** Recorded as the writer (WriteOptions.actor). */
  actor?: string;
}

export interface ContentError {
  /** The file (or folder) path as given, relative to baseDir when inside it. */
  file: string;
  message: string;
}

export interface LoadContentResult {
  /** Files whose resource was written (created or changed). */
  loaded: number;
  /** Files whose resource was already stored with the same content. */
  unchanged: number;
  errors: ContentError[];
  /** Configured folders that do not exist (not an error: a deployment may ship fewer). */
  missingDirs: string[];
  /** Versions written by this load, for logging and for refreshing indexes. */
  written: ResourceVersion[];
}

interface ContentFile {
  path: string;
  display: string;
  resource: Resource & { id: string };
}

export async function loadContentDirs(store: { resources: ResourceStore }, dirs: string[], options: LoadContentOptions = {}): Promise<LoadContentResult> {
  const baseDir = resolve(options.baseDir ?? process.cwd());
  const result: LoadContentResult = { loaded: 0, unchanged: 0, errors: [], missingDirs: [], written: [] };
  const files: string[] = [];
  for (const dir of dirs) {
    const absolute = resolve(baseDir, dir);
    const found = await listJsonFiles(absolute);
    if (found === undefined) result.missingDirs.push(dir);
    else files.push(...found);
  }
  const display = (path: string) => (path.startsWith(baseDir) ? relative(baseDir, path) : path);
  const parsed = await parseFiles([...new Set(files)].sort(), display, result.errors);
  for (const file of withoutDuplicates(parsed, result.errors)) {
    try {
      const put = await store.resources.putIfChanged(file.resource, options.actor !== undefined ? { actor: options.actor } : {});
      if (put.outcome === 'unchanged') result.unchanged++;
      else {
        result.loaded++;
        result.written.push(put.version);
      }
    } catch (err) {
      result.errors.push({ file: file.display, message: `not stored: ${(err as Error).message}` });
    }
  }
  return result;
}

/** Every *.json below `dir`, or undefined when `dir` does not exist. */
async function listJsonFiles(dir: string): Promise<string[] | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const out: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...((await listJsonFiles(full)) ?? []));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(full);
  }
  return out;
}

async function parseFiles(paths: string[], display: (p: string) => string, errors: ContentError[]): Promise<ContentFile[]> {
  const out: ContentFile[] = [];
  for (const path of paths) {
    const shown = display(path);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      errors.push({ file: shown, message: `not valid JSON: ${(err as Error).message}` });
      continue;
    }
    const candidate = json as { resourceType?: unknown; id?: unknown };
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      errors.push({ file: shown, message: 'not a FHIR resource (expected a JSON object)' });
    } else if (typeof candidate.resourceType !== 'string' || candidate.resourceType === '') {
      errors.push({ file: shown, message: 'not a FHIR resource: no resourceType' });
    } else if (typeof candidate.id !== 'string' || candidate.id === '') {
      errors.push({ file: shown, message: `${candidate.resourceType} has no id (every shipped resource needs a stable id)` });
    } else {
      out.push({ path, display: shown, resource: json as Resource & { id: string } });
    }
  }
  return out;
}

/** Two files with the same type/id would overwrite each other on every start: keep the first, report the rest. */
function withoutDuplicates(files: ContentFile[], errors: ContentError[]): ContentFile[] {
  const first = new Map<string, ContentFile>();
  const out: ContentFile[] = [];
  for (const file of files) {
    const key = `${file.resource.resourceType}/${file.resource.id}`;
    const earlier = first.get(key);
    if (earlier) {
      errors.push({ file: file.display, message: `${key} is also defined in ${earlier.display}; this file was not loaded` });
      continue;
    }
    first.set(key, file);
    out.push(file);
  }
  return out;
}
