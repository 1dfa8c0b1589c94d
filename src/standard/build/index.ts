/**
 * The content build: standard-tables/*.tsv → FHIR R4 CodeSystems, ValueSets and ConceptMaps.
 * Pure with respect to the output: returns the resources and the report; the script writes them.
 */
import type { CodeSystem, ConceptMap, ValueSet } from 'fhir/r4';
import { BuildReport } from './report.js';
import { SourceTables, loadCorrections } from './sources.js';
import { loadDictionaries, type Dictionaries } from './dictionaries.js';
import { readExamItems, type ExamItemRecord } from './items.js';
import { buildExamItemCodeSystem, examItemId } from './cs-exam-item.js';
import { buildDictionaryCodeSystems } from './cs-dictionaries.js';
import { buildExtensionCodeSystems } from './cs-extensions.js';
import { buildPriceAndChuanyuCodeSystems } from './cs-regional.js';
import { buildValueSets } from './valuesets.js';
import { buildConceptMaps } from './conceptmaps.js';
import { readChuanyuDecisions } from './map-chuanyu.js';
import { readEnglishNames } from './english.js';
import { EXAM_ITEM_VERSION } from '../canonical.js';

export type ContentResource = CodeSystem | ValueSet | ConceptMap;

export interface GeneratedFile {
  /** Path relative to the repository root, e.g. codesystems/exam-item-V3.8.2.json. */
  path: string;
  resource: ContentResource;
}

export interface ContentBuild {
  files: GeneratedFile[];
  report: BuildReport;
  summary: string[];
  items: ExamItemRecord[];
  dictionaries: Dictionaries;
}

export const V382_SOURCE =
  'charlieliu9999/acrac-web standard/基础版本-V3.8.2标准检查项目-all.xlsx (commit 34cfc0f, sheet 汇总), 1367 rows; appendix flag from itsoYang/rimag-tina content/overview/stardard_intro_2.zh.md (appendix G-J); English designations from ACR procedure names in itsoYang/rimag-tina content/blog/ACRAC.md (reviewed in standard-tables/exam-item-english.tsv). Build input: standard-tables/items-v3.8.2.tsv; corrections listed in content-build-report.md.';

export function buildContent(opts: { tablesDir: string; base: string }): ContentBuild {
  const src = new SourceTables(opts.tablesDir);
  const report = new BuildReport();
  const ctx = { src, report, corrections: loadCorrections(src) };
  const dictionaries = loadDictionaries(ctx);
  const itemTable = src.table('items-v3.8.2.tsv');
  const items = readExamItems({ file: itemTable.file, rows: itemTable.rows, dictionaries, report, version: EXAM_ITEM_VERSION });
  const english = readEnglishNames({ src, report, items });
  const examItem = buildExamItemCodeSystem({ base: opts.base, version: EXAM_ITEM_VERSION, items, source: V382_SOURCE, date: '2024-01-01', english });

  const codeSystems: CodeSystem[] = [
    examItem,
    ...buildDictionaryCodeSystems(opts.base, dictionaries),
    ...buildExtensionCodeSystems({ ...ctx, base: opts.base }),
    ...buildPriceAndChuanyuCodeSystems({ ...ctx, base: opts.base }),
  ];
  const decisions = readChuanyuDecisions({ src, report, items });
  const chuanyuTargets = decisions.flatMap((d) => d.targets.map((t) => t.code));
  const valueSets = buildValueSets({ base: opts.base, codeSystems, items, chuanyuTargets });
  const conceptMaps = buildConceptMaps({ ...ctx, base: opts.base, codeSystems, items, decisions });

  const files: GeneratedFile[] = [
    ...codeSystems.map((r) => ({ path: `codesystems/${r.id}.json`, resource: r })),
    ...valueSets.map((r) => ({ path: `valuesets/${r.id}.json`, resource: r })),
    ...conceptMaps.map((r) => ({ path: `conformance/conceptmaps/${r.id}.json`, resource: r })),
  ];
  const summary = [
    `Canonical base: ${opts.base}`,
    '',
    '| resource | id | url | version | concepts / entries |',
    '|---|---|---|---|---|',
    ...files.map(({ resource: r }) => `| ${r.resourceType} | ${r.id} | ${r.url} | ${r.version ?? ''} | ${countOf(r)} |`),
    '',
    `Exam items ${examItemId(EXAM_ITEM_VERSION)}: ${itemTable.rows.length} rows read, ${items.length} published, ${report.entries.filter((e) => e.kind === 'rejection' && e.file === itemTable.file).length} rejected (duplicated codes or rows: ${report.entries.filter((e) => e.file === itemTable.file && /duplicated|already used/.test(e.reason)).length}).`,
  ];
  return { files, report, summary, items, dictionaries };
}

function countOf(r: ContentResource): string {
  if (r.resourceType === 'CodeSystem') return String(r.count ?? '');
  if (r.resourceType === 'ConceptMap') return String((r.group ?? []).reduce((n, g) => n + g.element.length, 0));
  const inc = r.compose?.include ?? [];
  return inc.map((i) => (i.concept ? `${i.concept.length} listed` : i.filter ? i.filter.map((f) => `${f.property} ${f.op} ${f.value}`).join(' & ') : i.valueSet ? 'value sets' : 'all')).join('; ');
}

/** Stable JSON text of a resource as committed (2-space indent, trailing newline). */
export function serialise(resource: ContentResource): string {
  return JSON.stringify(resource, null, 2) + '\n';
}
