/**
 * ValueSets over the published CodeSystems. Intensional where a generic engine can expand them
 * (`=` filters on declared properties, whole-system includes); extensional (concept lists) otherwise.
 */
import type { CodeSystem, ValueSet, ValueSetComposeInclude } from 'fhir/r4';
import type { ExamItemRecord } from './items.js';
import { CS, codeSystemUrl, valueSetUrl, EXAM_ITEM_VERSION } from '../canonical.js';
import { PUBLISHER } from './fhir-codesystem.js';

interface VsSpec {
  id: string;
  name: string;
  title: string;
  zh: string;
  en: string;
  include: ValueSetComposeInclude[];
  version?: string;
}

function vs(base: string, s: VsSpec): ValueSet {
  return {
    resourceType: 'ValueSet',
    id: s.id,
    url: valueSetUrl(base, s.id),
    version: s.version ?? EXAM_ITEM_VERSION,
    name: s.name,
    title: s.title,
    status: 'active',
    experimental: false,
    publisher: PUBLISHER,
    description: `${s.zh}\n\n${s.en}`,
    immutable: false,
    compose: { include: s.include },
  };
}

const eq = (property: string, value: string) => ({ property, op: '=' as const, value });

export interface ValueSetBuildOptions {
  base: string;
  codeSystems: CodeSystem[];
  items: ExamItemRecord[];
  /** Standard codes the 川渝 map targets (from the reviewed decisions). */
  chuanyuTargets?: string[];
}

/** Exam items per modality of the list (CT MR DR MG RF) and per extension system (US PET SPECT). */
function modalityValueSets(base: string): ValueSet[] {
  const examItem = codeSystemUrl(base, CS.examItem);
  const lists: Array<[string, string, string]> = [
    ['ct', 'CT', 'CT'],
    ['mr', 'MR', 'MR'],
    ['dr', 'DR', 'DR (含移动DR 42 / including mobile DR)'],
    ['mg', 'MG', 'MG 乳腺X线 (mammography)'],
    ['rf', 'RF', 'RF X线造影/透视 (radiofluoroscopy)'],
  ];
  const out = lists.map(([id, modality, label]) =>
    vs(base, {
      id: `exam-item-${id}`,
      name: `RimagExamItem${modality}`,
      title: `标准检查项目 ${modality} Exam items: ${modality}`,
      zh: `Q/YMYG 001—2023 标准检查项目中模态为 ${label} 的全部项目 (modality = ${modality})。`,
      en: `All standard exam items whose modality is ${modality} (filter modality = ${modality}).`,
      include: [{ system: examItem, filter: [eq('modality', modality)] }],
    }),
  );
  const ext: Array<[string, string, string, string]> = [
    ['us', CS.usExamItem, 'US 超声', 'V1.1'],
    ['pet', CS.petExamItem, 'PET/CT 与 PET/MR', 'V1.1'],
    ['spect', CS.spectExamItem, 'SPECT', 'V2.0'],
  ];
  for (const [id, cs, label, version] of ext) {
    out.push(
      vs(base, {
        id: `exam-item-${id}`,
        name: `RimagExamItem${id.toUpperCase()}`,
        title: `标准检查项目 ${label} Exam items: ${id.toUpperCase()}`,
        zh: `一脉阳光 ${label} 标准检查项目 (整个代码系统 ${cs})。`,
        en: `All ${id.toUpperCase()} standard exam items (the whole ${cs} code system).`,
        include: [{ system: codeSystemUrl(base, cs) }],
        version,
      }),
    );
  }
  return out;
}

function dictionaryValueSets(base: string, codeSystems: CodeSystem[]): ValueSet[] {
  // Item systems have their own exam-item-* value sets; dictionaries get one "all codes" set each.
  const itemSystems = [CS.examItem, CS.usExamItem, CS.petExamItem, CS.spectExamItem].map((id) => codeSystemUrl(base, id));
  return codeSystems
    .filter((cs) => !itemSystems.includes(cs.url!))
    .map((cs) =>
      vs(base, {
        id: cs.id!,
        name: `${cs.name}All`,
        title: `${cs.title} (全部编码 all codes)`,
        zh: `代码系统 ${cs.id} 的全部编码。`,
        en: `All codes of CodeSystem ${cs.id}.`,
        include: [{ system: cs.url! }],
        version: cs.version,
      }),
    );
}

function bodyPartLevels(base: string): ValueSet[] {
  const system = codeSystemUrl(base, CS.bodyPart);
  return ['1', '2', '3'].map((level) =>
    vs(base, {
      id: `body-part-level${level}`,
      name: `RimagBodyPartLevel${level}`,
      title: `检查部位 ${level} 级 Body parts, level ${level}`,
      zh: `检查部位代码系统中第 ${level} 级的编码 (level = ${level})。`,
      en: `Body-part codes of level ${level} (filter level = ${level}).`,
      include: [{ system, filter: [eq('level', level)] }],
    }),
  );
}

function scanMethodGroups(base: string): ValueSet[] {
  const system = codeSystemUrl(base, CS.scanMethod);
  return ['CT', 'MR', 'XR'].map((group) =>
    vs(base, {
      id: `scan-method-${group.toLowerCase()}`,
      name: `RimagScanMethod${group}`,
      title: `扫描方式 ${group} Scan methods: ${group}`,
      zh: `${group} 扫描方式编码 (modalityGroup = ${group}, 不含分组概念)。`,
      en: `Scan-method codes of group ${group} (filter modalityGroup = ${group}; grouping concepts excluded).`,
      include: [{ system, filter: [eq('modalityGroup', group)] }],
    }),
  );
}

export function buildValueSets(o: ValueSetBuildOptions): ValueSet[] {
  const examItem = codeSystemUrl(o.base, CS.examItem);
  const neutralTypes = ['20', '30', '40', '44', '45'];
  const sets: ValueSet[] = [
    vs(o.base, {
      id: 'exam-item-all',
      name: 'RimagExamItemAll',
      title: '全部标准检查项目 (CT/MR/X线) All exam items',
      zh: 'Q/YMYG 001—2023 全部标准检查项目 (CT/MR/X线; 超声/PET/SPECT 见各自值集)。',
      en: 'All standard exam items of Q/YMYG 001—2023 (CT/MR/X-ray; US/PET/SPECT have their own value sets).',
      include: [{ system: examItem }],
    }),
    vs(o.base, {
      id: 'exam-item-device-neutral',
      name: 'RimagExamItemDeviceNeutral',
      title: '不区分设备的标准检查项目 Device-neutral exam items',
      zh: '标准推荐使用的不区分设备项目 (§6.1.2): 设备类型 20 CT、30 MR、40 DR, 以及没有特定设备细分的 44 MG、45 RF。不含 42 移动DR (移动DR本身即特定设备)。',
      en: 'Device-neutral items as the standard recommends (§6.1.2): device types 20 CT, 30 MR, 40 DR, plus 44 MG and 45 RF which have no device-specific variants. Excludes 42 mobile DR, itself a specific device.',
      include: neutralTypes.map((t) => ({ system: examItem, filter: [eq('deviceType', t)] })),
    }),
    ...modalityValueSets(o.base),
    ...dictionaryValueSets(o.base, o.codeSystems),
    ...bodyPartLevels(o.base),
    ...scanMethodGroups(o.base),
  ];
  if (o.chuanyuTargets && o.chuanyuTargets.length > 0) {
    sets.push(
      vs(o.base, {
        id: 'exam-item-chuanyu-mutual-recognition',
        name: 'RimagExamItemChuanyu',
        title: '川渝互认项目对应的标准检查项目 Exam items for the 川渝 mutual-recognition list',
        zh: '川渝检查结果互认项目 (141项) 经 ConceptMap chuanyu-to-exam-item 对应到的标准检查项目编码。',
        en: 'The standard exam-item codes the 141 Sichuan–Chongqing mutual-recognition items map to (ConceptMap chuanyu-to-exam-item).',
        include: [{ system: examItem, concept: [...new Set(o.chuanyuTargets)].sort().map((code) => ({ code, display: o.items.find((i) => i.code === code)?.display })) }],
      }),
    );
  }
  return sets;
}
