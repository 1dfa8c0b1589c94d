/** The exam-item CodeSystem (CT/MR/X-ray, 14-character codes) from validated item records. */
import type { CodeSystem } from 'fhir/r4';
import type { ExamItemRecord } from './items.js';
import { buildCodeSystem, prop } from './fhir-codesystem.js';
import { boolProp, codeProp, stringProp, type SourceConcept } from './concept.js';
import { typedVariants } from '../names.js';
import { CS, codeSystemUrl, valueSetUrl } from '../canonical.js';
import { scanMethodKey, SCAN_GROUP_BY_MODALITY_CODE } from './dictionaries.js';

export const EXAM_ITEM_PROPERTIES = [
  prop('modality', 'code', '模态 Modality label of the item list: CT, MR, DR, MG, RF (DR also covers 42 移动DR)'),
  prop('modalityCode', 'code', '模态编码 Appendix-A modality code (2 CT, 3 MR, 4 X线); code in CodeSystem/modality'),
  prop('deviceType', 'code', '设备类型 Positions 1-2; code in CodeSystem/device-type'),
  prop('bodyPartL1', 'code', '一级部位 Body part level 1 (2 characters); code in CodeSystem/body-part'),
  prop('bodyPartL2', 'code', '二级部位 Body part level 2 (4 characters); code in CodeSystem/body-part'),
  prop('bodyPartL3', 'code', '三级部位 Body part level 3 (6 characters); code in CodeSystem/body-part'),
  prop('bodyPartName', 'string', '三级部位名称 Name of the level-3 body part'),
  prop('scanMethod', 'code', '扫描方式 Positions 9-10 as written in the code (unique only within a modality); see scanMethodKey'),
  prop('scanMethodKey', 'code', '扫描方式编码 Code in CodeSystem/scan-method: <CT|MR|XR>-<scanMethod>'),
  prop('scanMethodName', 'string', '扫描方式名称 Name of the scan method'),
  prop('postProcessing', 'code', '后处理 CT/MR positions 11-12 (00 = none); code in CodeSystem/post-processing'),
  prop('postProcessingName', 'string', '后处理名称 Name of the post-processing'),
  prop('xrayPosition', 'code', '体位 X-ray positions 11-12; code in CodeSystem/xray-position (00 = no position in the name)'),
  prop('xrayPositionName', 'string', '体位名称 Name of the X-ray position'),
  prop('additionalCode', 'code', '附加码 Positions 13-14; code in CodeSystem/additional-code'),
  prop('inPublishedAppendix', 'boolean', '是否见于已发布附录G-J Whether the item appears in the published appendix G-J of Q/YMYG 001—2023'),
];

export function examItemConcept(r: ExamItemRecord, english: string[] = []): SourceConcept {
  const group = SCAN_GROUP_BY_MODALITY_CODE[r.modalityCode]!;
  const properties = [
    codeProp('modality', r.modality),
    codeProp('modalityCode', r.modalityCode),
    codeProp('deviceType', r.deviceType),
    codeProp('bodyPartL1', r.bodyPartL1),
    codeProp('bodyPartL2', r.bodyPartL2),
    codeProp('bodyPartL3', r.bodyPartL3),
    stringProp('bodyPartName', r.bodyPartL3Name),
    codeProp('scanMethod', r.scanMethod),
    codeProp('scanMethodKey', scanMethodKey(group, r.scanMethod)),
    stringProp('scanMethodName', r.scanMethodName),
  ];
  if (r.modalityCode === '4') {
    properties.push(codeProp('xrayPosition', r.postOrPosition));
    if (r.postOrPositionName) properties.push(stringProp('xrayPositionName', r.postOrPositionName));
  } else {
    properties.push(codeProp('postProcessing', r.postOrPosition));
    properties.push(stringProp('postProcessingName', r.postOrPositionName));
  }
  properties.push(codeProp('additionalCode', r.additionalCode));
  if (r.inPublishedAppendix !== undefined) properties.push(boolProp('inPublishedAppendix', r.inPublishedAppendix));
  return {
    code: r.code,
    display: r.display,
    designations: [
      ...typedVariants(r.display).map((value) => ({ value, language: 'zh', kind: 'synonym' as const })),
      ...english.map((value) => ({ value, language: 'en', kind: 'english' as const })),
    ],
    properties,
  };
}

export interface ExamItemCsOptions {
  base: string;
  version: string;
  items: ExamItemRecord[];
  /** Where the rows came from, for the description. */
  source: string;
  /** Publication date of the release, when known. */
  date?: string;
  /** Reviewed English names by code (ACR procedure names). */
  english?: Map<string, string[]>;
}

/** id and file stem of one version: exam-item-V3.8.2 (several versions can sit side by side). */
export function examItemId(version: string): string {
  return `${CS.examItem}-${version.replace(/[^A-Za-z0-9.-]/g, '-')}`;
}

export function buildExamItemCodeSystem(o: ExamItemCsOptions): CodeSystem {
  const counts = new Map<string, number>();
  for (const i of o.items) counts.set(i.modality, (counts.get(i.modality) ?? 0) + 1);
  const countText = [...counts].map(([m, n]) => `${m} ${n}`).join(', ');
  const cs = buildCodeSystem(
    {
      id: examItemId(o.version),
      url: codeSystemUrl(o.base, CS.examItem),
      version: o.version,
      name: 'RimagExamItem',
      title: `Q/YMYG 001—2023 医学影像检查项目 (CT/MR/X线) ${o.version}`,
      descriptionZh:
        `一脉阳光《医学影像检查项目名称及编码标准》(Q/YMYG 001—2023) 标准检查项目 ${o.version}, 共 ${o.items.length} 项 (${countText})。` +
        '编码为14位字母数字码 (区分大小写): 设备类型|一级部位|二级部位|三级部位|扫描方式|后处理或体位|附加码。显示名为发布的标准名 (以 * 开头); 同义词为去掉 * 和空格、全角括号等常见写法。' +
        '特定设备项目 (设备类型 21–25, 31–35, 43) 由不区分设备的项目 (20/30/40) 替换设备类型段得到, 本代码系统不逐一列出, 由服务器按标准规则校验并生成显示名。' +
        '机构扩展码 (<编码>-<后缀>, 标准第7章) 为机构对标准项目的细化, 应以机构 CodeSystem 补充 (supplement) 或本地代码 + ConceptMap 映射到基础项目发布。' +
        '扫描方式编码仅在同一模态内唯一, 故 scanMethod 属性保留代码中的两位原值, scanMethodKey 属性给出 scan-method 代码系统中的唯一编码 (如 CT-33)。',
      descriptionEn:
        `Standard examination items of the Rimag Medical Imaging Examination Item Names and Coding Standard (Q/YMYG 001—2023), version ${o.version}: ${o.items.length} items (${countText}). ` +
        'Codes are 14 case-sensitive letters/digits in 7 segments: device type | body part L1 | L2 | L3 | scan method | post-processing or X-ray position | additional code. ' +
        'Display is the published standard name (starting with *); designations carry the forms users type (no *, no spaces, full-width parentheses) and, for a few items, the reviewed ACR procedure name in English (no official English exists). ' +
        'Device-specific items (device types 21–25, 31–35, 43) are formed from the device-neutral item (20/30/40) by replacing the device-type segment; they are not enumerated here, the server validates them by the standard\'s rule and builds their display. ' +
        'Institution extensions (<code>-<suffix>, standard §7) are local refinements of a base item and belong in per-institution CodeSystem supplements or local codes mapped to the base item. ' +
        'Scan-method codes are unique only within a modality, so the scanMethod property keeps the 2-character segment and scanMethodKey gives the unique code in the scan-method CodeSystem (e.g. CT-33).',
      source: o.source,
      properties: EXAM_ITEM_PROPERTIES,
      caseSensitive: true,
      date: o.date,
      valueSet: valueSetUrl(o.base, 'exam-item-all'),
    },
    o.items.map((i) => examItemConcept(i, o.english?.get(i.code))),
  );
  return cs;
}
