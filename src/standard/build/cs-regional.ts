/**
 * Two small external lists the standard is mapped to:
 * - the NHSA radiology price items (立项指南 2024, in force in Jiangxi from 2025-05-30), 93 items;
 * - the 川渝 mutual-recognition items (seed 004, appendix A table A.1), 141 items.
 */
import type { CodeSystem } from 'fhir/r4';
import type { BuildReport } from './report.js';
import type { SourceTables } from './sources.js';
import { buildCodeSystem, prop } from './fhir-codesystem.js';
import { codeProp, stringProp, type SourceConcept } from './concept.js';
import { CS, codeSystemUrl } from '../canonical.js';
import { toHalfWidth } from '../names.js';

interface Ctx {
  src: SourceTables;
  report: BuildReport;
  base: string;
}

/** Price-item kinds by the last four digits (立项指南 numbering): 0000 base, xxx1 add-on, xx00 extension. */
export function priceItemKind(code: string): 'base' | 'add-on' | 'extension' {
  const tail = code.slice(-4);
  if (tail === '0000') return 'base';
  if (tail.endsWith('1')) return 'add-on';
  return 'extension';
}

export function buildNhsaPriceItems(ctx: Ctx): CodeSystem {
  const t = ctx.src.table('jiangxi-2025-radiology-price-items.tsv');
  const seen = new Set<string>();
  const concepts: SourceConcept[] = [];
  for (const r of t.rows) {
    const code = r.values.price_item_code!.trim();
    if (!/^\d{15}$/.test(code)) {
      ctx.report.rejection(t.file, r.line, code, 'price item codes have 15 digits');
      continue;
    }
    if (seen.has(code)) {
      ctx.report.rejection(t.file, r.line, code, 'duplicated price item; first row published');
      continue;
    }
    seen.add(code);
    const kind = priceItemKind(code);
    const baseCode = code.slice(0, 11) + '0000';
    const name = r.values.name!.trim();
    const properties = [codeProp('kind', kind), stringProp('pricingUnit', r.values.pricing_unit!.trim()), stringProp('priceJiangxiProvincialYuan', r.values.price_yuan_provincial_hospitals!.trim())];
    const ins = r.values.insurance_category?.trim();
    if (ins) properties.push(stringProp('insuranceCategory', ins));
    const half = toHalfWidth(name);
    concepts.push({
      code,
      display: name,
      parent: kind === 'base' ? undefined : baseCode,
      designations: half !== name ? [{ value: half, language: 'zh', kind: 'synonym' }] : [],
      properties,
    });
  }
  for (const c of concepts) {
    if (c.parent && !seen.has(c.parent)) {
      ctx.report.warning(t.file, 0, c.code, `add-on/extension item without its base item ${c.parent}; published without parent`);
      delete c.parent;
    }
  }
  return buildCodeSystem(
    {
      id: CS.nhsaPriceItem,
      url: codeSystemUrl(ctx.base, CS.nhsaPriceItem),
      version: '2025',
      name: 'NhsaRadiologyPriceItem',
      title: '放射检查类医疗服务价格项目 (国家医保局立项指南, 2025 江西执行) NHSA radiology price items',
      descriptionZh: `国家医保局《放射检查类医疗服务价格项目立项指南（试行）》的 ${concepts.length} 个价格项目 (15位编码), 依江西省 2025-05-30 起执行的通知附表1。末四位 0000 为主项目, 末位 1 为加收项, 其余为扩展项; 加收与扩展项以 parent 指向主项目。价格为江西省级医院标准 (元), 仅供参考。`,
      descriptionEn: `The ${concepts.length} price items (15-digit codes) of the NHSA radiology pricing guideline (trial, 2024) as put into effect in Jiangxi from 2025-05-30 (notice, attachment 1). Codes ending 0000 are base items, ending in 1 add-ons (加收), otherwise extensions (扩展); add-ons and extensions have their base item as parent. Prices are the Jiangxi provincial-hospital prices in yuan, for reference.`,
      source: 'charlieliu9999/Rimag_web_std 关于规范整合放射检查类、超声检查类、中医特殊疗法类、中医骨伤类医疗服务价格项目的通知(2).docx (commit 792c869) 附表1; build input standard-tables/jiangxi-2025-radiology-price-items.tsv.',
      properties: [
        prop('kind', 'code', 'base | add-on (加收) | extension (扩展)'),
        prop('pricingUnit', 'string', '计价单位 Pricing unit'),
        prop('priceJiangxiProvincialYuan', 'string', '江西省级医院价格 (元) Jiangxi provincial-hospital price in yuan'),
        prop('insuranceCategory', 'string', '医保类别 (甲类/乙类)'),
      ],
      hierarchyMeaning: 'grouped-by',
      date: '2025-05-30',
    },
    concepts,
  );
}

/** Category labels of table A.1 → modality label of the standard (MRI is the same modality as MR). */
const CHUANYU_CATEGORY: Record<string, string> = { DR: 'DR', CT: 'CT', MR: 'MR', MRI: 'MR' };

export function buildChuanyuItems(ctx: Ctx): CodeSystem {
  const t = ctx.src.table('chuanyu-hr-items.tsv');
  const concepts: SourceConcept[] = [];
  const seen = new Set<string>();
  for (const r of t.rows) {
    const code = r.values.seq!.trim();
    const raw = r.values.category!.trim();
    const category = CHUANYU_CATEGORY[raw];
    if (!category || seen.has(code)) {
      ctx.report.rejection(t.file, r.line, code, category ? 'duplicated 序号' : `unknown category "${raw}"`);
      continue;
    }
    seen.add(code);
    if (category !== raw) ctx.report.correction(t.file, r.line, code, `类别 "${raw}" → "${category}" (MRI and MR are the same modality; the table uses both)`);
    const name = r.values.item_name!.trim();
    const compact = toHalfWidth(name.replace(/\s+/g, ''));
    concepts.push({
      code,
      display: name,
      designations: compact !== name ? [{ value: compact, language: 'zh', kind: 'synonym' }] : [],
      properties: [codeProp('category', category), stringProp('bodyPart', r.values.body_part!.trim())],
    });
  }
  return buildCodeSystem(
    {
      id: CS.chuanyuItem,
      url: codeSystemUrl(ctx.base, CS.chuanyuItem),
      version: '2025-09-29',
      name: 'ChuanyuMutualRecognitionItem',
      title: '川渝检查结果互认项目 Sichuan–Chongqing mutual-recognition imaging items',
      descriptionZh: `《数字医学影像结果互认质控管理规范》(征求意见稿, 2025-09-29) 附录A 表A.1 川渝检查结果互认项目清单, 共 ${concepts.length} 项 (DR 66, CT 49, MR 26)。编码为表中序号。映射到标准项目见 ConceptMap chuanyu-to-exam-item。`,
      descriptionEn: `Sichuan–Chongqing mutual-recognition items, appendix A table A.1 of the draft "Specification for Quality Control and Management of Mutual Recognition of Digital Medical Imaging Results" (2025-09-29): ${concepts.length} items (DR 66, CT 49, MR 26). Code = the table's sequence number. Mapped to standard items by ConceptMap chuanyu-to-exam-item.`,
      source: 'Seed document 004 (数字医学影像结果互认质控管理规范 征求意见稿, 附录A 表A.1); build input standard-tables/chuanyu-hr-items.tsv.',
      properties: [prop('category', 'code', '类别 DR, CT or MR'), prop('bodyPart', 'string', '检查部位 as written in the table')],
      caseSensitive: true,
      date: '2025-09-29',
    },
    concepts,
  );
}

export function buildPriceAndChuanyuCodeSystems(ctx: Ctx): CodeSystem[] {
  return [buildNhsaPriceItems(ctx), buildChuanyuItems(ctx)];
}
