/** CodeSystems for the dictionaries of appendices A–F. */
import type { CodeSystem } from 'fhir/r4';
import type { Dictionaries } from './dictionaries.js';
import { buildCodeSystem, prop } from './fhir-codesystem.js';
import { CS, codeSystemUrl } from '../canonical.js';

const APPENDIX_SOURCE =
  'Q/YMYG 001—2023 附录 A–F, transcribed in itsoYang/rimag-tina content/overview/stardard_intro_2.zh.md (blob e699e871, 2023-12-20) and standard text stardard_intro_1.zh.md (blob f83dad4d); codes used only by the V3.8.2 item list from charlieliu9999/acrac-web standard/基础版本-V3.8.2标准检查项目-all.xlsx (commit 34cfc0f). Build input: standard-tables/*.tsv; corrections listed in content-build-report.md.';
const VERSION = 'V3.8.2';
const DATE = '2024-01-01';

interface DictSpec {
  id: string;
  name: string;
  title: string;
  zh: string;
  en: string;
}

function dict(base: string, spec: DictSpec, concepts: Dictionaries[keyof Dictionaries], properties: ReturnType<typeof prop>[], hierarchyMeaning?: CodeSystem['hierarchyMeaning']): CodeSystem {
  return buildCodeSystem(
    {
      id: spec.id,
      url: codeSystemUrl(base, spec.id),
      version: VERSION,
      name: spec.name,
      title: spec.title,
      descriptionZh: spec.zh,
      descriptionEn: spec.en,
      source: APPENDIX_SOURCE,
      properties,
      hierarchyMeaning,
      date: DATE,
    },
    concepts,
  );
}

export function buildDictionaryCodeSystems(base: string, d: Dictionaries): CodeSystem[] {
  const modalityProp = prop('modality', 'code', '模态 Appendix-A modality code (CodeSystem/modality)');
  return [
    dict(base, {
      id: CS.modality, name: 'RimagModality', title: 'Q/YMYG 001—2023 模态 Modality (附录A)',
      zh: '检查模态编码 (附录A 表A.1), 1位: 2 CT, 3 MR, 4 X线, 5 US, A PET/CT, B PET/MR, C SPECT。为设备类型编码的第1位。',
      en: 'Imaging modality codes (appendix A, table A.1), one character; the first character of the device-type code.',
    }, d.modality, []),
    dict(base, {
      id: CS.deviceType, name: 'RimagDeviceType', title: 'Q/YMYG 001—2023 设备类型 Device type (附录B)',
      zh: '设备类型编码 (标准正文表2 / 附录B), 项目编码第1-2位。20/30/40 为不区分设备; 21–25、31–35、43 为特定设备类型, 其项目由不区分设备项目替换本段得到 (neutralDeviceType 属性)。英文为非官方译名。',
      en: 'Device-type codes (standard table 2 / appendix B), positions 1-2 of the item code. 20/30/40 are device-neutral; items of 21–25, 31–35 and 43 are formed from the neutral item (property neutralDeviceType). English names are unofficial.',
    }, d.deviceType, [modalityProp, prop('neutralDeviceType', 'code', '对应的不区分设备类型 Device-neutral type the items are formed from')]),
    dict(base, {
      id: CS.bodyPart, name: 'RimagBodyPart', title: 'Q/YMYG 001—2023 检查部位 Body part (附录C)',
      zh: '检查部位三级编码 (附录C): 一级 2 位 (9)、二级 4 位 (81)、三级 6 位 (249), CT/MR/X线共用。层级以 parent 属性和嵌套表示; applicableModality 为适用模态 (模态代码)。英文仅为非官方页面给出的部分名称。',
      en: 'Three-level body-part codes (appendix C): level 1 (2 characters, 9 codes), level 2 (4, 81), level 3 (6, 249), shared by CT, MR and X-ray. Hierarchy via the parent property and nesting; applicableModality lists the modality codes each part applies to. English only where the unofficial English page gives one.',
    }, d.bodyPart, [prop('level', 'code', '层级 Level 1, 2 or 3'), prop('applicableModality', 'code', '适用模态 Applicable modality (CodeSystem/modality code)')], 'part-of'),
    dict(base, {
      id: CS.scanMethod, name: 'RimagScanMethod', title: 'Q/YMYG 001—2023 扫描方式 Scan method (附录D)',
      zh: '扫描方式编码 (附录D), 项目编码第9-10位, 两级编码 (首字符为类别)。同一两位码在不同模态含义不同 (如 CT 33 = CTA, MR 33 = CE-MRA), 因此本代码系统的编码为 "<模态组>-<两位码>": CT-33、MR-7e、XR-M1; 模态组 CT、MR、XR (X线: DR/MG/RF) 与类别为不可选的分组概念。项目的 scanMethod 属性保留两位原值, scanMethodKey 属性为本系统编码。',
      en: 'Scan-method codes (appendix D), positions 9-10, two-level (first character = category). The same 2 characters mean different methods in different modalities (CT 33 = CTA, MR 33 = CE-MRA), so codes here are "<group>-<segment>": CT-33, MR-7e, XR-M1; the groups CT, MR, XR (X-ray: DR/MG/RF) and the categories are notSelectable grouping concepts. Exam items keep the raw segment in property scanMethod and this code in scanMethodKey.',
    }, d.scanMethod, [prop('segment', 'code', '两位码 The 2-character segment as written in item codes'), prop('modalityGroup', 'string', '模态组 CT, MR or XR')], 'grouped-by'),
    dict(base, {
      id: CS.postProcessing, name: 'RimagPostProcessing', title: 'Q/YMYG 001—2023 后处理 Post-processing (附录E)',
      zh: 'CT/MR 后处理编码 (附录E), 项目编码第11-12位, 两级编码 (首字符为类别, 类别为不可选分组概念); 00 = 无后处理。',
      en: 'CT/MR post-processing codes (appendix E), positions 11-12, two-level (category = first character, notSelectable); 00 = none.',
    }, d.postProcessing, [], 'grouped-by'),
    dict(base, {
      id: CS.xrayPosition, name: 'RimagXrayPosition', title: 'Q/YMYG 001—2023 X线体位 X-ray position (附录F)',
      zh: 'X线体位编码 (附录F), X线项目编码第11-12位, 共69个 (01–75, 有空缺)。usedByModality 为 V3.8.2 中使用该体位的模态。',
      en: 'X-ray position codes (appendix F), positions 11-12 of X-ray items: 69 codes (01–75 with gaps). usedByModality lists the modalities whose V3.8.2 items use the position.',
    }, d.xrayPosition, [prop('usedByModality', 'code', 'Modality label (DR, MG) of V3.8.2 items using this position')]),
    dict(base, {
      id: CS.additionalCode, name: 'RimagAdditionalCode', title: 'Q/YMYG 001—2023 附加码 Additional code',
      zh: '附加码 (标准术语3.11), 项目编码第13-14位, 预留用于标准项目扩展; V3.8.2 全部为 00。',
      en: 'Additional code (term 3.11), positions 13-14, reserved for extending standard items; every V3.8.2 item carries 00.',
    }, d.additionalCode, []),
  ];
}
