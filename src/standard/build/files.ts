import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXAM_ITEM_VERSION } from '../canonical.js';

/** Folders whose JSON files the content build owns. */
export const GENERATED_DIRS = ['codesystems', 'valuesets', 'conformance/conceptmaps'];

/** Repo-relative paths of the JSON files currently in the generated folders. */
export function listGenerated(root: string): string[] {
  return GENERATED_DIRS.flatMap((dir) => {
    const abs = join(root, dir);
    return existsSync(abs) ? readdirSync(abs).filter((f) => f.endsWith('.json')).map((f) => `${dir}/${f}`) : [];
  });
}

/** codesystems/exam-item-<version>.json written by import:release for a version other than the built one. */
export function isImportedRelease(path: string): boolean {
  const m = /^codesystems\/exam-item-(.+)\.json$/.exec(path);
  return !!m && m[1] !== EXAM_ITEM_VERSION;
}
