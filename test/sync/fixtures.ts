/**
 * Small FHIR fixtures for the sync tests: an exam-item CodeSystem in two versions, a ValueSet,
 * a standard ConceptMap and an institution's local ConceptMap.
 */
import type { CodeSystem, ConceptMap, ValueSet } from 'fhir/r4';

export const BASE = 'https://bzh.rimagcloud.com/fhir';
export const EXAM_URL = `${BASE}/CodeSystem/exam-item`;

export interface Item {
  code: string;
  display: string;
  retired?: boolean;
}

export const ITEMS_V1: Item[] = [
  { code: '20010701111100', display: '* CT副鼻窦(平扫+三维重建)' },
  { code: '20010101000000', display: 'CT颅脑(平扫)' },
  { code: '20030101000000', display: 'CT胸部(平扫)' },
  { code: '30010101000000', display: 'MR颅脑(平扫)' },
];

/** V2: one added, one removed, one renamed, one retired by status. */
export const ITEMS_V2: Item[] = [
  { code: '20010701111100', display: '* CT副鼻窦(平扫+三维重建)' },
  { code: '20010101000000', display: 'CT颅脑(平扫)', retired: true },
  { code: '20030101000000', display: 'CT胸部(平扫，低剂量)' },
  { code: '40010101000000', display: 'DR胸部正位' },
];

export function examItem(version: string, items: Item[], id = 'exam-item'): CodeSystem & { id: string } {
  return {
    resourceType: 'CodeSystem',
    id,
    url: EXAM_URL,
    version,
    name: 'RimagExamItem',
    title: '影像检查项目',
    status: 'active',
    content: 'complete',
    caseSensitive: true,
    property: [{ code: 'status', type: 'code' }],
    concept: items.map((i) => ({
      code: i.code,
      display: i.display,
      ...(i.retired ? { property: [{ code: 'status', valueCode: 'retired' }] } : {}),
    })),
  };
}

export function modalityCs(): CodeSystem & { id: string } {
  return {
    resourceType: 'CodeSystem',
    id: 'modality',
    url: `${BASE}/CodeSystem/modality`,
    version: 'V3.8.2',
    name: 'RimagModality',
    status: 'active',
    content: 'complete',
    concept: [
      { code: 'CT', display: 'CT' },
      { code: 'MR', display: 'MR' },
    ],
  };
}

export function allItemsVs(): ValueSet & { id: string } {
  return {
    resourceType: 'ValueSet',
    id: 'exam-item-all',
    url: `${BASE}/ValueSet/exam-item-all`,
    version: 'V3.8.2',
    name: 'RimagExamItemAll',
    status: 'active',
    compose: { include: [{ system: EXAM_URL }] },
  };
}

export function standardMap(): ConceptMap & { id: string } {
  return {
    resourceType: 'ConceptMap',
    id: 'device-type-to-dicom',
    url: `${BASE}/ConceptMap/device-type-to-dicom`,
    version: 'V3.8.2',
    name: 'DeviceTypeToDicom',
    status: 'active',
    group: [{ source: `${BASE}/CodeSystem/device-type`, target: 'http://dicom.nema.org/resources/ontology/DCM', element: [{ code: '20', target: [{ code: 'CT', equivalence: 'equivalent' }] }] }],
  };
}

/** An institution's own map: not under the standard's base. */
export function hospitalMap(id = 'hospital-a-to-exam-item', codes: Array<[string, string]> = [['CT001', '20010101000000']]): ConceptMap & { id: string } {
  return {
    resourceType: 'ConceptMap',
    id,
    url: `https://hospital-a.example.cn/fhir/ConceptMap/${id}`,
    version: '1',
    name: 'HospitalAToExamItem',
    status: 'active',
    group: [{ source: 'https://hospital-a.example.cn/CodeSystem/local-exams', target: EXAM_URL, element: codes.map(([s, t]) => ({ code: s, target: [{ code: t, equivalence: 'equivalent' }] })) }],
  };
}
