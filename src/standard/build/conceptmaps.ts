/** The ConceptMaps of the content: 川渝 → exam item, exam item → price item, device type → DICOM. */
import type { CodeSystem, ConceptMap, ConceptMapGroup } from 'fhir/r4';
import type { BuildReport } from './report.js';
import type { SourceTables } from './sources.js';
import type { ExamItemRecord } from './items.js';
import { CS, codeSystemUrl, conceptMapUrl, valueSetUrl, EXAM_ITEM_VERSION, DICOM_DCM_SYSTEM } from '../canonical.js';
import { PUBLISHER } from './fhir-codesystem.js';
import { readChuanyuDecisions, chuanyuElements, type ChuanyuDecision } from './map-chuanyu.js';
import { priceElements, priceMapDescription } from './map-price.js';

export interface ConceptMapBuildOptions {
  src: SourceTables;
  report: BuildReport;
  base: string;
  codeSystems: CodeSystem[];
  items: ExamItemRecord[];
  decisions?: ChuanyuDecision[];
}

function map(base: string, m: { id: string; name: string; title: string; description: string; source: string; target: string; version: string; group: ConceptMapGroup[] }): ConceptMap {
  return {
    resourceType: 'ConceptMap',
    id: m.id,
    url: conceptMapUrl(base, m.id),
    version: m.version,
    name: m.name,
    title: m.title,
    status: 'active',
    experimental: false,
    publisher: PUBLISHER,
    description: m.description,
    sourceUri: m.source,
    targetUri: m.target,
    group: m.group,
  };
}

function cs(o: ConceptMapBuildOptions, id: string): CodeSystem {
  const found = o.codeSystems.find((c) => c.url === codeSystemUrl(o.base, id));
  if (!found) throw new Error(`CodeSystem ${id} not built`);
  return found;
}

/** DICOM PS3.16 Modality defined terms (CID 29 / DCM) the standard's devices produce. */
const DICOM: Record<string, string> = {
  CT: 'Computed Tomography', MR: 'Magnetic Resonance', DX: 'Digital Radiography', CR: 'Computed Radiography',
  MG: 'Mammography', RF: 'Radio Fluoroscopy', US: 'Ultrasound', PT: 'Positron emission tomography', NM: 'Nuclear Medicine',
};
const DEVICE_TO_DICOM: Record<string, [string, 'equivalent' | 'wider', string?]> = {
  '20': ['CT', 'equivalent'], '21': ['CT', 'wider'], '22': ['CT', 'wider'], '23': ['CT', 'wider'], '24': ['CT', 'wider'], '25': ['CT', 'wider'],
  '30': ['MR', 'equivalent'], '31': ['MR', 'wider'], '32': ['MR', 'wider'], '33': ['MR', 'wider'], '34': ['MR', 'wider'], '35': ['MR', 'wider'],
  '40': ['DX', 'equivalent', 'DR images are DICOM DX'], '42': ['DX', 'wider', 'mobile DR images are DICOM DX'], '43': ['CR', 'equivalent'],
  '44': ['MG', 'equivalent'], '45': ['RF', 'equivalent'],
};
const MODALITY_TO_DICOM: Record<string, [string, 'equivalent' | 'wider' | 'narrower', string?]> = {
  '2': ['CT', 'equivalent'], '3': ['MR', 'equivalent'], '5': ['US', 'equivalent'],
  A: ['PT', 'narrower', 'PET/CT studies carry PT and CT series; PT is the defining one'],
  B: ['PT', 'narrower', 'PET/MR studies carry PT and MR series; PT is the defining one'],
  C: ['NM', 'equivalent', 'SPECT is DICOM NM'],
};

function dicomMap(o: ConceptMapBuildOptions): ConceptMap {
  const devices = cs(o, CS.deviceType);
  const modalities = cs(o, CS.modality);
  const element = (c: { code: string; display?: string }, m: Record<string, [string, string, string?]>, file: string) => {
    const hit = m[c.code];
    if (!hit) {
      o.report.warning(file, 0, c.code, 'no DICOM modality; mapped as unmatched');
      return { code: c.code, display: c.display, target: [{ equivalence: 'unmatched' as const, comment: 'X线 covers DX, CR, MG and RF: map the device type instead' }] };
    }
    const [code, equivalence, comment] = hit;
    return { code: c.code, display: c.display, target: [{ code, display: DICOM[code], equivalence: equivalence as 'equivalent', ...(comment ? { comment } : {}) }] };
  };
  const flat = (concepts: CodeSystem['concept']): { code: string; display?: string }[] => (concepts ?? []).flatMap((c) => [c, ...flat(c.concept)]);
  return map(o.base, {
    id: 'device-type-to-dicom-modality',
    name: 'RimagDeviceTypeToDicomModality',
    title: '设备类型/模态 → DICOM Modality (0008,0060)',
    description:
      '设备类型 (附录B) 与模态 (附录A) 到 DICOM Modality 定义术语 (PS3.16 DCM) 的映射。特定设备类型 (如 22 16排CT) 映射到同一 DICOM 模态, 等价关系为 wider。\n\n' +
      'Device types (appendix B) and modalities (appendix A) to the DICOM Modality (0008,0060) defined terms (PS3.16, DCM): 20-25→CT, 30-35→MR, 40/42→DX, 43→CR, 44→MG, 45→RF; modality 5→US, A/B→PT, C→NM. Device-specific types map to the same DICOM modality with equivalence wider. Mapping inferred from the standard\'s device definitions (fact sheet §9).',
    source: valueSetUrl(o.base, CS.deviceType),
    target: 'http://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_CID_29.html',
    version: EXAM_ITEM_VERSION,
    group: [
      { source: devices.url, sourceVersion: devices.version, target: DICOM_DCM_SYSTEM, element: flat(devices.concept).map((c) => element(c, DEVICE_TO_DICOM, 'device-types.tsv')) },
      { source: modalities.url, sourceVersion: modalities.version, target: DICOM_DCM_SYSTEM, element: flat(modalities.concept).filter((c) => c.code !== '4').map((c) => element(c, MODALITY_TO_DICOM, 'modalities.tsv')) },
    ],
  });
}

export function buildConceptMaps(o: ConceptMapBuildOptions): ConceptMap[] {
  const examItem = codeSystemUrl(o.base, CS.examItem);
  const chuanyu = cs(o, CS.chuanyuItem);
  const price = cs(o, CS.nhsaPriceItem);
  const decisions = o.decisions ?? readChuanyuDecisions(o);
  const priceCodes = new Map((function walk(cs: CodeSystem['concept']): [string, string][] {
    return (cs ?? []).flatMap((c) => [[c.code, c.display ?? ''] as [string, string], ...walk(c.concept)]);
  })(price.concept));
  const unmatchedNote = decisions.filter((d) => d.targets.length !== 1).length;
  return [
    map(o.base, {
      id: 'chuanyu-to-exam-item',
      name: 'ChuanyuToRimagExamItem',
      title: '川渝互认项目 → 标准检查项目 Chuanyu mutual-recognition item → exam item',
      description:
        `川渝检查结果互认项目 (141项) 到 Q/YMYG 001—2023 标准检查项目 ${EXAM_ITEM_VERSION} 的映射, 每项按两表名称人工审定 (standard-tables/chuanyu-to-exam-item.tsv)。无单一对应项目的 ${unmatchedNote} 项给出多个候选并在 comment 中说明原因。\n\n` +
        `Sichuan–Chongqing mutual-recognition items (141) to standard exam items ${EXAM_ITEM_VERSION}, each decided by reading both tables' names (reviewed decisions in standard-tables/chuanyu-to-exam-item.tsv). Equivalence per row: equivalent, wider (the standard item is broader, e.g. posture not coded), narrower (several more specific items, e.g. no laterality given) or inexact; ${unmatchedNote} items without a single standard item list the candidates and say why in the comment.`,
      source: valueSetUrl(o.base, CS.chuanyuItem),
      target: valueSetUrl(o.base, 'exam-item-all'),
      version: EXAM_ITEM_VERSION,
      group: [{ source: chuanyu.url, sourceVersion: chuanyu.version, target: examItem, targetVersion: EXAM_ITEM_VERSION, element: chuanyuElements(decisions, o.items) }],
    }),
    map(o.base, {
      id: 'exam-item-to-nhsa-price-item',
      name: 'RimagExamItemToNhsaPriceItem',
      title: '标准检查项目 → 医保放射检查价格项目 Exam item → NHSA radiology price item',
      description:
        '标准检查项目到国家医保局放射检查类价格项目 (立项指南, 江西2025执行) 的映射, 按下列规则生成 (先匹配者优先)。价格项目按部位/血管/脏器计价, 故主项目等价关系为 wider; 加收项为 relatedto (在主项目之外另收)。规则未覆盖的项目标记为 unmatched 并注明规则。已抽查: 20010100110000→CT平扫, 20080101330000→CT造影成像(血管), 30050101230000→MR灌注成像-动态增强, 44040803M13700→X线摄影成像(乳腺)。\n\n' +
        'Standard exam items to the NHSA radiology price items, built by these rules (first match wins). Price items are charged per part/vessel/organ, so base targets are wider; add-ons (加收) are relatedto (charged in addition to the base). Items no rule prices are unmatched with the rule as comment.\n\n' +
        priceMapDescription(),
      source: valueSetUrl(o.base, 'exam-item-all'),
      target: valueSetUrl(o.base, CS.nhsaPriceItem),
      version: EXAM_ITEM_VERSION,
      group: [{ source: examItem, sourceVersion: EXAM_ITEM_VERSION, target: price.url, targetVersion: price.version, element: priceElements({ items: o.items, priceCodes, report: o.report }) }],
    }),
    dicomMap(o),
  ];
}
