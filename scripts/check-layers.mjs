// Dependency-direction lint (STYLE.md "Dependencies point one way"). Scans every import/export-from
// and dynamic import() in src/**/*.ts (type-only imports count: they couple layers too) and fails
// with exit 1 listing each violation:
//   - terminology/, matching/, standard/ must not import fhir/, hl7/, sync/, content/ or a store
//     implementation (only src/store/store.ts, the interface);
//   - fhir/ and hl7/ may import terminology/, matching/, standard/, errors, config, logger and the
//     store interface (fhir/ also the sync/ services it publishes over HTTP), not each other;
//   - nothing imports fhir/ or hl7/ except src/main.ts (and files inside the same folder).
// Usage: node scripts/check-layers.mjs [srcDir]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const srcDir = resolve(process.argv[2] ?? join(root, 'src'));

function collect(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** 'src/fhir/app.ts' → { top: 'fhir', path: 'fhir/app.ts' } (relative to srcDir, '/' separated). */
function locate(file) {
  const rel = relative(srcDir, file).split(sep).join('/');
  const top = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : rel.replace(/\.ts$/, '');
  return { rel, top };
}

const DOMAIN = new Set(['terminology', 'matching', 'standard']);
const SHARED = new Set(['errors', 'config', 'logger']);
const EDGE = new Set(['fhir', 'hl7']);

/** Returns a reason string when `from` may not import `to`, else undefined. */
function violation(from, to) {
  if (from.top === to.top) return undefined;
  if (to.top === 'store' && to.rel !== 'store/store.ts' && (DOMAIN.has(from.top) || EDGE.has(from.top))) {
    return `${from.top}/ may use only the store interface (src/store/store.ts), not ${to.rel}`;
  }
  if (EDGE.has(to.top) && from.rel !== 'main.ts') return `only src/main.ts may import ${to.top}/`;
  if (DOMAIN.has(from.top) && (to.top === 'sync' || to.top === 'content')) return `${from.top}/ must not depend on ${to.top}/`;
  if (EDGE.has(from.top)) {
    const allowed = DOMAIN.has(to.top) || SHARED.has(to.top) || to.rel === 'store/store.ts' || (from.top === 'fhir' && to.top === 'sync');
    if (!allowed) return `${from.top}/ may import terminology/, matching/, standard/, errors, config, logger and the store interface, not ${to.rel}`;
  }
  return undefined;
}

const problems = [];
const files = collect(srcDir);
for (const file of files) {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const from = locate(file);
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2];
    if (!spec || !spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    if (!target.startsWith(srcDir + sep)) continue;
    const to = locate(target);
    const reason = violation(from, to);
    if (reason) problems.push(`src/${from.rel}: imports '${spec}' — ${reason}`);
  }
}

if (problems.length > 0) {
  console.error(`check-layers: ${problems.length} dependency-direction violation(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`check-layers: ${files.length} files, no violations`);
