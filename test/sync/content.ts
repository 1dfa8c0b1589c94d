/**
 * Loads the repository's published content (codesystems/, valuesets/, conformance/conceptmaps/)
 * for tests that want real resources rather than fixtures.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from 'fhir/r4';
import { REPO_ROOT } from '../../src/config.js';

export function repoTerminology(): Array<Resource & { id: string }> {
  const out: Array<Resource & { id: string }> = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.json')) {
        const r = JSON.parse(readFileSync(full, 'utf8')) as Resource;
        if (['CodeSystem', 'ValueSet', 'ConceptMap'].includes(r.resourceType) && typeof r.id === 'string') out.push(r as Resource & { id: string });
      }
    }
  };
  for (const dir of ['codesystems', 'valuesets', 'conformance']) walk(join(REPO_ROOT, dir));
  return out;
}
