/**
 * The one place the canonical base URL of the published content lives (CONTRACTS.md).
 * `npm run build:content` may override it with CANONICAL_BASE; nothing else should hard-code it.
 */
export const DEFAULT_CANONICAL_BASE = 'https://bzh.rimagcloud.com/fhir';

/** Base URL to build with: CANONICAL_BASE from the environment (trailing slashes dropped) or the default. */
export function canonicalBase(env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.CANONICAL_BASE?.trim();
  return (fromEnv && fromEnv.length > 0 ? fromEnv : DEFAULT_CANONICAL_BASE).replace(/\/+$/, '');
}

/** Resource ids (= last URL segment) of the CodeSystems published for the standard. */
export const CS = {
  examItem: 'exam-item',
  modality: 'modality',
  deviceType: 'device-type',
  bodyPart: 'body-part',
  scanMethod: 'scan-method',
  postProcessing: 'post-processing',
  xrayPosition: 'xray-position',
  additionalCode: 'additional-code',
  usExamItem: 'us-exam-item',
  petExamItem: 'pet-exam-item',
  spectExamItem: 'spect-exam-item',
  nhsaPriceItem: 'nhsa-radiology-price-item',
  chuanyuItem: 'chuanyu-mutual-recognition-item',
} as const;

export function codeSystemUrl(base: string, id: string): string {
  return `${base}/CodeSystem/${id}`;
}
export function valueSetUrl(base: string, id: string): string {
  return `${base}/ValueSet/${id}`;
}
export function conceptMapUrl(base: string, id: string): string {
  return `${base}/ConceptMap/${id}`;
}

/** Version of the exam-item list the tables in standard-tables/ carry. */
export const EXAM_ITEM_VERSION = 'V3.8.2';
/** DICOM Controlled Terminology (PS3.16), where the Modality (0008,0060) defined terms live. */
export const DICOM_DCM_SYSTEM = 'http://dicom.nema.org/resources/ontology/DCM';
