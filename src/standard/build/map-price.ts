/**
 * Standard exam item → NHSA radiology price item (the billing item a hospital charges for it).
 * Rules, first match wins, keyed on the item's modality, scan method, post-processing and body part;
 * each rule is written into the ConceptMap description so the mapping is reviewable.
 */
import type { ConceptMapGroupElement, ConceptMapGroupElementTarget } from 'fhir/r4';
import type { ExamItemRecord } from './items.js';
import type { BuildReport } from './report.js';

export const PRICE = {
  xray: '012301010010000',
  xrayBedside: '012301010010001',
  xrayMammo: '012301010030000',
  xrayContrast: '012301010040000',
  xrayContrastWholeGi: '012301010040001',
  xrayContrastLacrimal: '012301010041100',
  xrayContrastTTube: '012301010041200',
  ctPlain: '012301020010000',
  ctPlainEnergy: '012301020010001',
  ctPlainThin: '012301020010011',
  ctPlainCalcium: '012301020010021',
  ctEnhanced: '012301020020000',
  ctAngio: '012301020030000',
  ctPerfusion: '012301020040000',
  mrPlain: '012301030010000',
  mrPlainSpecial: '012301030010001',
  mrEnhanced: '012301030020000',
  mrAngioPlain: '012301030030000',
  mrAngioPlainWall: '012301030030001',
  mrAngioEnhanced: '012301030040000',
  mrPerfusion: '012301030050000',
  mrPerfusionDce: '012301030051100',
} as const;

type Target = { code: string; equivalence: 'wider' | 'relatedto'; comment: string };
interface Rule {
  id: string;
  text: string;
  when: (i: ExamItemRecord) => boolean;
  targets: Target[];
}

const base = (code: string, comment: string): Target => ({ code, equivalence: 'wider', comment });
const addOn = (code: string, baseName: string): Target => ({ code, equivalence: 'relatedto', comment: `加收 add-on, charged in addition to ${baseName}` });
const ct = (i: ExamItemRecord) => i.modality === 'CT';
const mr = (i: ExamItemRecord) => i.modality === 'MR';
const inSet = (v: string, list: string) => list.split(' ').includes(v);

export const PRICE_RULES: Rule[] = [
  { id: 'R1', text: 'RF items on 泪道 (L3 010603/010604) → X线造影成像-泪道造影 (extension)', when: (i) => i.modality === 'RF' && inSet(i.bodyPartL3, '010603 010604'), targets: [base(PRICE.xrayContrastLacrimal, 'lacrimal-duct contrast study')] },
  { id: 'R2', text: 'RF items with scan Xd T管造影 → X线造影成像-T管造影 (extension)', when: (i) => i.modality === 'RF' && i.scanMethod === 'Xd', targets: [base(PRICE.xrayContrastTTube, 'T-tube cholangiography')] },
  { id: 'R3', text: 'RF items on 全消化道 (L3 053005) → X线造影成像 + 全消化道造影 add-on', when: (i) => i.modality === 'RF' && i.bodyPartL3 === '053005', targets: [base(PRICE.xrayContrast, 'contrast study'), addOn(PRICE.xrayContrastWholeGi, 'X线造影成像')] },
  { id: 'R4', text: 'RF items (X线造影, scans X*) → X线造影成像', when: (i) => i.modality === 'RF' && i.scanMethod.startsWith('X'), targets: [base(PRICE.xrayContrast, 'contrast study, per 次')] },
  { id: 'R5', text: 'MG 钼靶导管造影 (M4, M8) → X线造影成像', when: (i) => i.modality === 'MG' && inSet(i.scanMethod, 'M4 M8'), targets: [base(PRICE.xrayContrast, 'galactography is a contrast study')] },
  { id: 'R6', text: 'MG imaging (M1 M2 M3 M5 M6 M9) → X线摄影成像（乳腺）, priced per side', when: (i) => i.modality === 'MG' && inSet(i.scanMethod, 'M1 M2 M3 M5 M6 M9'), targets: [base(PRICE.xrayMammo, 'mammography, per side (单侧): bilateral items are charged twice')] },
  { id: 'R6b', text: 'MG 导丝定位 (M7) → none: pre-operative wire localisation is an interventional procedure, not a guideline imaging item', when: (i) => i.modality === 'MG' && i.scanMethod === 'M7', targets: [] },
  { id: 'R7', text: 'DR骨密度测定 (scan 01) → none: bone densitometry is not a radiology price item of the guideline', when: (i) => i.modality === 'DR' && i.scanMethod === '01', targets: [] },
  { id: 'R8', text: '移动DR (device type 42) → X线摄影成像 + 床旁X线摄影 add-on', when: (i) => i.deviceType === '42', targets: [base(PRICE.xray, 'radiograph, per part and view'), addOn(PRICE.xrayBedside, 'X线摄影成像')] },
  { id: 'R9', text: 'DR radiographs (scan 00) → X线摄影成像, priced per part and view', when: (i) => i.modality === 'DR' && i.scanMethod === '00', targets: [base(PRICE.xray, 'radiograph, per part and view (部位·体位)')] },
  { id: 'R10', text: 'CT vessel imaging (CTA/CTV, scans 33-36) → CT造影成像（血管）, per vessel', when: (i) => ct(i) && inSet(i.scanMethod, '33 34 35 36'), targets: [base(PRICE.ctAngio, 'CT angiography, per vessel (血管)')] },
  { id: 'R11', text: 'CT perfusion (41) → CT灌注成像, per organ', when: (i) => ct(i) && i.scanMethod === '41', targets: [base(PRICE.ctPerfusion, 'CT perfusion, per organ (脏器)')] },
  { id: 'R12', text: 'CT enhanced (21 增强, 22 平扫+增强, 42 CTU, 43 平扫+增强+CTU) → CT增强; the guideline item covers the plain series of the same part', when: (i) => ct(i) && inSet(i.scanMethod, '21 22 42 43'), targets: [base(PRICE.ctEnhanced, 'contrast-enhanced CT, per part')] },
  { id: 'R13', text: 'CT energy scan (44) → CT平扫 + 能量成像 add-on', when: (i) => ct(i) && i.scanMethod === '44', targets: [base(PRICE.ctPlain, 'plain CT, per part'), addOn(PRICE.ctPlainEnergy, 'CT平扫')] },
  { id: 'R14', text: 'CT thin-slice scan (15) → CT平扫 + 薄层扫描 add-on', when: (i) => ct(i) && i.scanMethod === '15', targets: [base(PRICE.ctPlain, 'plain CT, per part'), addOn(PRICE.ctPlainThin, 'CT平扫')] },
  { id: 'R15', text: 'CT plain scans (11 平扫, 12 低剂量, 13 靶向, 14 HRCT) → CT平扫; post-processing (三维重建 etc.) has no separate price item', when: (i) => ct(i) && inSet(i.scanMethod, '11 12 13 14'), targets: [base(PRICE.ctPlain, 'plain CT, per part')] },
  { id: 'R16', text: 'CT post-processing-only item 钙化积分 (scan 00, post 21) → CT平扫-冠脉钙化积分 add-on', when: (i) => ct(i) && i.scanMethod === '00' && i.postOrPosition === '21', targets: [addOn(PRICE.ctPlainCalcium, 'CT平扫')] },
  { id: 'R17', text: 'Other CT post-processing-only items (scan 00), CT arthrography (46) and CT guidance (47) → none: no separate guideline item', when: (i) => ct(i) && inSet(i.scanMethod, '00 46 47'), targets: [] },
  { id: 'R18', text: 'MR DCE-MRI (23) → MR灌注成像-动态增强 (extension)', when: (i) => mr(i) && i.scanMethod === '23', targets: [base(PRICE.mrPerfusionDce, 'dynamic contrast-enhanced MR')] },
  { id: 'R19', text: 'MR perfusion (54 PWI, 55 心脏灌注, 56 ASL, 71 DSC, 7g) → MR灌注成像, per organ', when: (i) => mr(i) && inSet(i.scanMethod, '54 55 56 71 7g'), targets: [base(PRICE.mrPerfusion, 'MR perfusion, per organ (脏器)')] },
  { id: 'R20', text: 'MR vessel wall (37 VWI) → MR平扫成像（血管） + 高分辨率血管壁成像 add-on', when: (i) => mr(i) && i.scanMethod === '37', targets: [base(PRICE.mrAngioPlain, 'non-contrast MR angiography, per vessel'), addOn(PRICE.mrAngioPlainWall, 'MR平扫成像（血管）')] },
  { id: 'R21', text: 'MR non-contrast angiography (31 MRA, 32 MRV, 35 HR-MRA, 36 HR-MRV) → MR平扫成像（血管）, per vessel', when: (i) => mr(i) && inSet(i.scanMethod, '31 32 35 36'), targets: [base(PRICE.mrAngioPlain, 'non-contrast MR angiography, per vessel')] },
  { id: 'R22', text: 'MR contrast angiography (33 CE-MRA, 34 CE-MRV, 76 TRICKS) → MR增强成像（血管）, per vessel', when: (i) => mr(i) && inSet(i.scanMethod, '33 34 76'), targets: [base(PRICE.mrAngioEnhanced, 'contrast-enhanced MR angiography, per vessel')] },
  { id: 'R23', text: 'MR enhanced (21, 22, 24 肝胆特异性, 46 CE-MRU, 7b 关节造影) → MR增强', when: (i) => mr(i) && inSet(i.scanMethod, '21 22 24 46 7b'), targets: [base(PRICE.mrEnhanced, 'contrast-enhanced MR, per part')] },
  { id: 'R24', text: 'MR plain (11, 12 HR-MRI) and water imaging (41-45) → MR平扫', when: (i) => mr(i) && inSet(i.scanMethod, '11 12 41 42 43 44 45'), targets: [base(PRICE.mrPlain, 'plain MR, per part')] },
  { id: 'R25', text: 'MR functional/quantitative/special sequences (5x, 6x, 72-75, 77-79, 7a, 7d, 7e, 7f) → MR平扫 + 特殊方式成像 add-on', when: (i) => mr(i) && (/^[56]/.test(i.scanMethod) || inSet(i.scanMethod, '72 73 74 75 77 78 79 7a 7d 7e 7f')), targets: [base(PRICE.mrPlain, 'plain MR, per part'), addOn(PRICE.mrPlainSpecial, 'MR平扫')] },
  { id: 'R26', text: 'MR guidance (7h) → none: interventional guidance, no guideline imaging item', when: (i) => mr(i) && i.scanMethod === '7h', targets: [] },
];

export function priceMapDescription(): string {
  return PRICE_RULES.map((r) => `${r.id}: ${r.text}`).join('\n');
}

export function priceElements(o: { items: ExamItemRecord[]; priceCodes: Map<string, string>; report: BuildReport }): ConceptMapGroupElement[] {
  for (const code of Object.values(PRICE)) {
    if (!o.priceCodes.has(code)) o.report.rejection('jiangxi-2025-radiology-price-items.tsv', 0, code, 'price rule refers to a code that is not in the price list');
  }
  const used = new Map<string, number>();
  const out: ConceptMapGroupElement[] = [];
  for (const item of o.items) {
    const rule = PRICE_RULES.find((r) => r.when(item));
    if (!rule) {
      o.report.warning('items-v3.8.2.tsv', item.line, item.code, 'no price rule applies; mapped as unmatched');
      out.push({ code: item.code, display: item.display, target: [{ equivalence: 'unmatched', comment: 'no price rule applies' }] });
      continue;
    }
    used.set(rule.id, (used.get(rule.id) ?? 0) + 1);
    const target: ConceptMapGroupElementTarget[] =
      rule.targets.length === 0
        ? [{ equivalence: 'unmatched', comment: `${rule.id}: ${rule.text}` }]
        : rule.targets.map((t) => ({ code: t.code, display: o.priceCodes.get(t.code), equivalence: t.equivalence, comment: `${rule.id}: ${t.comment}` }));
    out.push({ code: item.code, display: item.display, target });
  }
  for (const r of PRICE_RULES) {
    if (!used.has(r.id)) o.report.warning('map-price.ts', 0, r.id, `price rule ${r.id} matched no item`);
  }
  return out;
}
