/**
 * Ultrasound V1.1, PET/CT + PET/MR and SPECT extensions: each has its own code format, so each is
 * its own CodeSystem, with small dictionary CodeSystems built from the sheet dictionaries and the
 * item rows (the only source for the PET/SPECT dictionaries).
 */
import type { CodeSystem } from 'fhir/r4';
import type { BuildReport } from './report.js';
import type { SourceTables, ManualCorrection } from './sources.js';
import { buildCodeSystem, prop } from './fhir-codesystem.js';
import { codeProp, stringProp, type SourceConcept } from './concept.js';
import { typedVariants, toHalfWidth } from '../names.js';
import { CS, codeSystemUrl } from '../canonical.js';

interface Ctx {
  src: SourceTables;
  report: BuildReport;
  corrections: ManualCorrection[];
  base: string;
}

const ACRAC = 'charlieliu9999/acrac-web (commit 34cfc0f)';

/** Collects dictionary entries seen in item rows, reporting a code used with two names. */
class DictCollector {
  readonly concepts = new Map<string, SourceConcept>();
  constructor(private readonly report: BuildReport, private readonly file: string, private readonly what: string) {}
  add(code: string, display: string, line: number, parent?: string): void {
    const name = display.trim();
    const existing = this.concepts.get(code);
    if (existing) {
      if (existing.display !== name) this.report.warning(this.file, line, code, `${this.what} ${code} is named "${name}" here but "${existing.display}" earlier; the first name is published`);
      return;
    }
    const designations = toHalfWidth(name) !== name ? [{ value: toHalfWidth(name), language: 'zh', kind: 'synonym' as const }] : [];
    this.concepts.set(code, { code, display: name, parent, designations, properties: [] });
  }
  list(): SourceConcept[] {
    return [...this.concepts.values()];
  }
}

function itemConcept(code: string, display: string, properties: SourceConcept['properties']): SourceConcept {
  return { code, display, designations: typedVariants(display).map((value) => ({ value, language: 'zh', kind: 'synonym' as const })), properties };
}

function dictCs(ctx: Ctx, id: string, name: string, title: string, zh: string, en: string, version: string, source: string, concepts: SourceConcept[]): CodeSystem {
  return buildCodeSystem({ id, url: codeSystemUrl(ctx.base, id), version, name, title, descriptionZh: zh, descriptionEn: en, source, properties: [], hierarchyMeaning: 'part-of' }, concepts);
}

function checkUnique(ctx: Ctx, file: string, rows: { line: number; code: string }[]): Set<number> {
  const seen = new Map<string, number>();
  const skip = new Set<number>();
  for (const r of rows) {
    const first = seen.get(r.code);
    if (first !== undefined) {
      ctx.report.rejection(file, r.line, r.code, `duplicated code (first on line ${first}); published once`);
      skip.add(r.line);
    } else seen.set(r.code, r.line);
  }
  return skip;
}

export function buildUltrasound(ctx: Ctx): CodeSystem[] {
  const t = ctx.src.table('us-items-v1.1.tsv');
  const file = t.file;
  const systems = new DictCollector(ctx.report, file, 'US system');
  for (const r of ctx.src.table('us-level1-systems.tsv').rows) systems.add(r.values.code!, r.values.name!, r.line);
  const parts = new DictCollector(ctx.report, file, 'US part');
  for (const r of ctx.src.table('us-level2-parts.tsv').rows) {
    systems.concepts.has(r.values.level1_code!) || ctx.report.rejection('us-level2-parts.tsv', r.line, r.values.level2_code, `unknown level-1 system ${r.values.level1_code}`);
    parts.add(r.values.level1_code! + r.values.level2_code!, r.values.name!, r.line, r.values.level1_code!);
  }
  const approaches = new DictCollector(ctx.report, file, 'approach');
  const subitems = new DictCollector(ctx.report, file, 'sub-item');
  for (const r of ctx.src.table('us-approach-and-subitems.tsv').rows) {
    const target = r.values.dimension!.startsWith('approach') ? approaches : subitems;
    const name = r.values.name!.trim();
    target.add(r.values.code!, name === '-' ? '无' : name, r.line);
  }
  const scans = new DictCollector(ctx.report, file, 'scan method');
  for (const r of ctx.src.table('us-scan-methods.tsv').rows) scans.add(r.values.code!, r.values.name!, r.line);

  const rows = t.rows.map((r) => ({ line: r.line, code: r.values.code!.trim(), v: r.values }));
  const skip = checkUnique(ctx, file, rows);
  const items: SourceConcept[] = [];
  for (const { line, code, v } of rows) {
    if (skip.has(line)) continue;
    const m = /^50(U[0-9a-z])(\d{2})(\d)(\d{2})(C\d)000$/.exec(code);
    if (!m) {
      ctx.report.rejection(file, line, code, 'not of the form 50 + system(2) + part(2) + approach(1) + sub-item(2) + scan(2) + 000');
      continue;
    }
    const [, sys, partSeg, approach, subitem, scan] = m as unknown as [string, string, string, string, string, string];
    let part = sys + partSeg;
    const columnPart = v.level1_code! + v.level2_code!;
    if (columnPart !== part) {
      if (!parts.concepts.has(part) && parts.concepts.get(columnPart)?.display === v.level2_part?.trim()) {
        ctx.report.correction(file, line, code, `code segment ${partSeg} is not a ${sys} part, the 二级 column says ${v.level2_code} "${v.level2_part}" as the name does; property bodyPartL2 = ${columnPart}, the code itself is kept as published`);
        part = columnPart;
      } else {
        ctx.report.warning(file, line, code, `二级 column ${columnPart} differs from the code's part ${part}; the code's part is used`);
      }
    }
    const missing = [
      [systems, sys, 'system'], [parts, part, 'part'], [approaches, approach, 'approach'], [subitems, subitem, 'sub-item'], [scans, scan, 'scan method'],
    ].filter(([d, c]) => !(d as DictCollector).concepts.has(c as string)).map(([, c, w]) => `${w} ${c}`);
    if (missing.length > 0) {
      ctx.report.rejection(file, line, code, `unknown ${missing.join(', ')}`);
      continue;
    }
    items.push(itemConcept(code, v.name!.trim(), [
      codeProp('modality', 'US'), codeProp('modalityCode', '5'), codeProp('deviceType', '50'),
      codeProp('bodyPartL1', sys), codeProp('bodyPartL2', part), stringProp('bodyPartName', parts.concepts.get(part)!.display),
      codeProp('approach', approach), codeProp('subItem', subitem), codeProp('scanMethod', scan), stringProp('scanMethodName', scans.concepts.get(scan)!.display),
    ]));
  }
  const src = `${ACRAC} standard/超声标准v1.1 1.xlsx, sheets US标准项目, 一级系统, 扫描方式 and 编码说明; build input standard-tables/us-*.tsv.`;
  const bodyParts = [...systems.list(), ...parts.list()];
  return [
    buildCodeSystem({
      id: CS.usExamItem, url: codeSystemUrl(ctx.base, CS.usExamItem), version: 'V1.1', name: 'RimagUsExamItem',
      title: '一脉阳光超声检查项目标准 Ultrasound exam items V1.1',
      descriptionZh: `一脉阳光超声标准检查项目 V1.1, 共 ${items.length} 项。编码14位: 50 + 一级系统(2) + 二级部位(2) + 操作方式(1) + 细分项目(2) + 扫描方式(2) + 000。二级部位编码仅在一级系统内唯一, 故 bodyPartL2 属性为 一级+二级 (如 U101)。`,
      descriptionEn: `Rimag ultrasound standard exam items V1.1: ${items.length} items. 14-character code: 50 + level-1 system (2) + level-2 part (2) + approach (1) + sub-item (2) + scan method (2) + 000. Level-2 part codes are unique only within a system, so property bodyPartL2 is system + part (e.g. U101), a code in CodeSystem/us-body-part.`,
      source: src, caseSensitive: true,
      properties: [
        prop('modality', 'code', 'US'), prop('modalityCode', 'code', '5 (appendix A)'), prop('deviceType', 'code', '50'),
        prop('bodyPartL1', 'code', '一级系统 Level-1 system (CodeSystem/us-body-part)'), prop('bodyPartL2', 'code', '二级部位 system + part (CodeSystem/us-body-part)'),
        prop('bodyPartName', 'string', '二级部位名称'), prop('approach', 'code', '操作方式 Approach (CodeSystem/us-approach)'),
        prop('subItem', 'code', '细分项目 Sub-item (CodeSystem/us-subitem)'), prop('scanMethod', 'code', '扫描方式 (CodeSystem/us-scan-method)'), prop('scanMethodName', 'string', '扫描方式名称'),
      ],
    }, items),
    dictCs(ctx, 'us-body-part', 'RimagUsBodyPart', '超声一级系统/二级部位 Ultrasound systems and parts', '超声一级系统 (U1…Ub) 与二级部位 (一级+二级, 如 U101 甲状腺)。', 'Ultrasound level-1 systems (U1…Ub) and level-2 parts (system + part, e.g. U101).', 'V1.1', src, bodyParts),
    dictCs(ctx, 'us-approach', 'RimagUsApproach', '超声操作方式 Ultrasound approach', '超声操作方式 (编码第9位)。', 'Ultrasound approach (position 9).', 'V1.1', src, approaches.list()),
    dictCs(ctx, 'us-subitem', 'RimagUsSubitem', '超声细分项目 Ultrasound sub-item', '超声细分项目 (编码第10-11位)。', 'Ultrasound sub-items (positions 10-11).', 'V1.1', src, subitems.list()),
    dictCs(ctx, 'us-scan-method', 'RimagUsScanMethod', '超声扫描方式 Ultrasound scan method', '超声扫描方式 (编码第12-13位)。', 'Ultrasound scan methods (positions 12-13).', 'V1.1', src, scans.list()),
  ];
}

export function buildPet(ctx: Ctx): CodeSystem[] {
  const t = ctx.src.table('pet-items.tsv');
  const parts = new DictCollector(ctx.report, t.file, 'PET part');
  const scans = new DictCollector(ctx.report, t.file, 'PET scan');
  const rows = t.rows.map((r) => ({ line: r.line, code: r.values.code!.trim(), v: r.values }));
  const skip = checkUnique(ctx, t.file, rows);
  const items: SourceConcept[] = [];
  for (const { line, code, v } of rows) {
    if (skip.has(line)) continue;
    const m = /^([AB]0)10(A\d)(\d{2})(A0)00$/.exec(code);
    if (!m || m[2] !== v.level1_code || m[2]! + m[3] !== v.level2_code || m[4] !== v.scan_code) {
      ctx.report.rejection(t.file, line, code, 'code does not match 模态(2)+10+一级(2)+二级(2)+扫描(2)+00 with the row\'s columns');
      continue;
    }
    parts.add(v.level1_code!, v.level1_name!, line);
    parts.add(v.level2_code!, v.level2_name!, line, v.level1_code);
    scans.add(v.scan_code!, v.scan_name!, line);
    items.push(itemConcept(code, v.name!.trim(), [
      codeProp('modality', v.modality!.trim()), codeProp('modalityCode', m[1]![0]!), codeProp('deviceType', m[1]!),
      codeProp('bodyPartL1', v.level1_code!), codeProp('bodyPartL2', v.level2_code!), stringProp('bodyPartName', v.level2_name!.trim()),
      codeProp('scanMethod', v.scan_code!), codeProp('versionAdded', v.version_added!.trim()),
    ]));
  }
  const src = `${ACRAC} standard/核医学标准:pet:spect:多sheet.xlsx, sheets PET-CT and PET-MR; build input standard-tables/pet-items.tsv.`;
  return [
    buildCodeSystem({
      id: CS.petExamItem, url: codeSystemUrl(ctx.base, CS.petExamItem), version: 'V1.1', name: 'RimagPetExamItem',
      title: '一脉阳光 PET/CT、PET/MR 检查项目 PET exam items V1.1',
      descriptionZh: `一脉阳光 PET/CT (A0) 与 PET/MR (B0) 标准检查项目 V1.1, 共 ${items.length} 项。编码12位: 模态(2) + 10 + 一级(2) + 二级(2) + 扫描方式(2) + 00。`,
      descriptionEn: `Rimag PET/CT (A0) and PET/MR (B0) standard exam items V1.1: ${items.length} items. 12-character code: modality (2) + 10 + level 1 (2) + level 2 (2) + scan (2) + 00.`,
      source: src, caseSensitive: true,
      properties: [
        prop('modality', 'code', 'PET/CT or PET/MR'), prop('modalityCode', 'code', 'A or B (appendix A)'), prop('deviceType', 'code', 'A0 or B0'),
        prop('bodyPartL1', 'code', '一级 (CodeSystem/pet-body-part)'), prop('bodyPartL2', 'code', '二级 (CodeSystem/pet-body-part)'), prop('bodyPartName', 'string', '二级名称'),
        prop('scanMethod', 'code', '扫描方式 (A0 PET常规扫描)'), prop('versionAdded', 'code', 'Version that added the item'),
      ],
    }, items),
    dictCs(ctx, 'pet-body-part', 'RimagPetBodyPart', 'PET 检查部位 PET body part', 'PET 一级 (A1 全身, A2 局部) 与二级部位。', 'PET level-1 (A1 whole body, A2 local) and level-2 parts.', 'V1.1', src, parts.list()),
  ];
}

export function buildSpect(ctx: Ctx): CodeSystem[] {
  const t = ctx.src.table('spect-items.tsv');
  const parts = new DictCollector(ctx.report, t.file, 'SPECT part');
  const scans = new DictCollector(ctx.report, t.file, 'SPECT scan');
  const rows = t.rows.map((r) => ({ line: r.line, code: r.values.code!.trim(), v: r.values }));
  const skip = checkUnique(ctx, t.file, rows);
  const items: SourceConcept[] = [];
  for (const { line, code, v } of rows) {
    if (skip.has(line)) continue;
    const expected = v.device_code! + v.img_code! + v.level1_code! + v.level2_code! + v.scan_code! + v.process_code! + '00';
    if (code !== expected || code.length !== 13) {
      ctx.report.rejection(t.file, line, code, `code does not match its columns (${expected})`);
      continue;
    }
    const l2 = v.level1_code! + v.level2_code!;
    parts.add(v.level1_code!, v.level1_name!, line);
    parts.add(l2, v.level2_name!, line, v.level1_code);
    scans.add(v.scan_code!, v.scan_name!, line);
    const props = [
      codeProp('modality', 'SPECT'), codeProp('modalityCode', 'C'), codeProp('deviceType', 'C0'),
      codeProp('bodyPartL1', v.level1_code!), codeProp('bodyPartL2', l2), stringProp('bodyPartName', v.level2_name!.trim()),
      codeProp('scanMethod', v.scan_code!), stringProp('scanMethodName', v.scan_name!.trim()), codeProp('process', v.process_code!),
    ];
    if (v.process!.trim() !== '-') props.push(stringProp('processName', v.process!.trim()));
    items.push(itemConcept(code, v.name!.trim(), props));
  }
  const src = `${ACRAC} standard/核医学标准:pet:spect:多sheet.xlsx, sheet SPECT; build input standard-tables/spect-items.tsv.`;
  return [
    buildCodeSystem({
      id: CS.spectExamItem, url: codeSystemUrl(ctx.base, CS.spectExamItem), version: 'V2.0', name: 'RimagSpectExamItem',
      title: '一脉阳光 SPECT 检查项目 SPECT exam items V2.0',
      descriptionZh: `一脉阳光 SPECT 标准检查项目 V2.0, 共 ${items.length} 项。编码13位: C0 + 10 + 一级(2) + 二级(2) + 扫描/显像方式(2) + 处理(1) + 00。二级编码仅在一级内唯一, 故 bodyPartL2 属性为 一级+二级。`,
      descriptionEn: `Rimag SPECT standard exam items V2.0: ${items.length} items. 13-character code: C0 + 10 + level 1 (2) + level 2 (2) + imaging method (2) + processing (1) + 00. Level-2 codes are unique only within level 1, so property bodyPartL2 is level 1 + level 2.`,
      source: src, caseSensitive: true,
      properties: [
        prop('modality', 'code', 'SPECT'), prop('modalityCode', 'code', 'C (appendix A)'), prop('deviceType', 'code', 'C0'),
        prop('bodyPartL1', 'code', '一级 (CodeSystem/spect-body-part)'), prop('bodyPartL2', 'code', '一级+二级 (CodeSystem/spect-body-part)'), prop('bodyPartName', 'string', '二级名称'),
        prop('scanMethod', 'code', '显像方式 (CodeSystem/spect-scan-method)'), prop('scanMethodName', 'string', '显像方式名称'),
        prop('process', 'code', '处理 0 none, 1 有效血浆流量测定, 2 肾小球滤过率测定'), prop('processName', 'string', '处理名称'),
      ],
    }, items),
    dictCs(ctx, 'spect-body-part', 'RimagSpectBodyPart', 'SPECT 检查部位 SPECT body part', 'SPECT 一级部位与二级部位 (一级+二级)。', 'SPECT level-1 parts and level-2 parts (level 1 + level 2).', 'V2.0', src, parts.list()),
    dictCs(ctx, 'spect-scan-method', 'RimagSpectScanMethod', 'SPECT 显像方式 SPECT imaging method', 'SPECT 显像方式 (B0…Bg)。', 'SPECT imaging methods (B0…Bg).', 'V2.0', src, scans.list()),
  ];
}

export function buildExtensionCodeSystems(ctx: Ctx): CodeSystem[] {
  return [...buildUltrasound(ctx), ...buildPet(ctx), ...buildSpect(ctx)];
}
