/** Small synthetic terminology used by the engine and HTTP tests (no dependency on ../shared). */
import type { CodeSystem, ConceptMap, ValueSet } from 'fhir/r4';

export const EXAM_SYSTEM = 'http://example.org/fhir/CodeSystem/exam';

export function examCodeSystem(): CodeSystem {
  return {
    resourceType: 'CodeSystem',
    id: 'exam',
    url: EXAM_SYSTEM,
    version: '1.0.0',
    name: 'ExamTest',
    status: 'active',
    content: 'complete',
    caseSensitive: true,
    language: 'zh',
    property: [
      { code: 'modality', type: 'code' },
      { code: 'status', uri: 'http://hl7.org/fhir/concept-properties#status', type: 'code' },
    ],
    concept: [
      {
        code: 'CT',
        display: 'CT检查',
        property: [{ code: 'modality', valueCode: 'CT' }],
        concept: [
          { code: 'CT-HEAD', display: '* CT颅脑(平扫)', designation: [{ language: 'en', value: 'CT head plain' }], property: [{ code: 'modality', valueCode: 'CT' }] },
          { code: 'CT-CHEST', display: '* CT胸部(平扫)', property: [{ code: 'modality', valueCode: 'CT' }] },
          { code: 'CT-CHEST-C', display: 'CT胸部(平扫+增强)', property: [{ code: 'modality', valueCode: 'CT' }] },
          { code: 'CT-OLD', display: 'CT旧项目', property: [{ code: 'modality', valueCode: 'CT' }, { code: 'status', valueCode: 'retired' }] },
        ],
      },
      {
        code: 'MR',
        display: 'MR检查',
        property: [{ code: 'modality', valueCode: 'MR' }],
        concept: [{ code: 'MR-HEAD', display: 'MR颅脑(平扫)', property: [{ code: 'modality', valueCode: 'MR' }] }],
      },
    ],
  };
}

export function allExamsValueSet(): ValueSet {
  return { resourceType: 'ValueSet', id: 'exam-all', url: 'http://example.org/fhir/ValueSet/exam-all', version: '1.0.0', status: 'active', compose: { include: [{ system: EXAM_SYSTEM }] } };
}

export function ctValueSet(): ValueSet {
  return {
    resourceType: 'ValueSet',
    id: 'exam-ct',
    url: 'http://example.org/fhir/ValueSet/exam-ct',
    version: '1.0.0',
    status: 'active',
    compose: { include: [{ system: EXAM_SYSTEM, filter: [{ property: 'concept', op: 'descendent-of', value: 'CT' }] }] },
  };
}

export function circularValueSets(): ValueSet[] {
  return [
    { resourceType: 'ValueSet', id: 'loop-a', url: 'http://example.org/fhir/ValueSet/loop-a', status: 'active', compose: { include: [{ valueSet: ['http://example.org/fhir/ValueSet/loop-b'] }] } },
    { resourceType: 'ValueSet', id: 'loop-b', url: 'http://example.org/fhir/ValueSet/loop-b', status: 'active', compose: { include: [{ valueSet: ['http://example.org/fhir/ValueSet/loop-a'] }] } },
  ];
}

export function examConceptMap(): ConceptMap {
  return {
    resourceType: 'ConceptMap',
    id: 'local-to-exam',
    url: 'http://example.org/fhir/ConceptMap/local-to-exam',
    version: '1',
    status: 'active',
    group: [{ source: 'http://example.org/local', target: EXAM_SYSTEM, element: [{ code: 'L1', target: [{ code: 'CT-HEAD', display: '* CT颅脑(平扫)', equivalence: 'equivalent' }] }] }],
  };
}
