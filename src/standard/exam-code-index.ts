/**
 * The dictionaries and items the exam-code functions need, as plain maps. Built from the published
 * CodeSystems (so a newly imported exam-item version or a tx-resource works the same way).
 */
import type { CodeSystem, CodeSystemConcept } from 'fhir/r4';

export interface ExamCodeIndex {
  /** Exam-item code → display (the published items; all device-neutral in V3.8.2). */
  items: ReadonlyMap<string, string>;
  /** Device-type code → display, e.g. '22' → '16排CT'. */
  deviceTypes: ReadonlyMap<string, string>;
  /** Body-part code (2, 4 or 6 characters) → name. */
  bodyParts: ReadonlyMap<string, string>;
  /** Scan-method key `<CT|MR|XR>-<segment>` → name. */
  scanMethods: ReadonlyMap<string, string>;
  postProcessing: ReadonlyMap<string, string>;
  xrayPositions: ReadonlyMap<string, string>;
  additionalCodes: ReadonlyMap<string, string>;
}

function isSelectable(c: CodeSystemConcept): boolean {
  return !(c.property ?? []).some((p) => p.code === 'notSelectable' && p.valueBoolean === true);
}

/** code → display over all (nested) selectable concepts of a CodeSystem. */
export function conceptDisplays(cs: CodeSystem | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (list: CodeSystemConcept[] | undefined) => {
    for (const c of list ?? []) {
      if (isSelectable(c)) out.set(c.code, c.display ?? c.code);
      walk(c.concept);
    }
  };
  walk(cs?.concept);
  return out;
}

export interface ExamCodeSystems {
  examItem: CodeSystem;
  deviceType: CodeSystem;
  bodyPart: CodeSystem;
  scanMethod: CodeSystem;
  postProcessing: CodeSystem;
  xrayPosition: CodeSystem;
  additionalCode: CodeSystem;
}

export function indexFromCodeSystems(cs: ExamCodeSystems): ExamCodeIndex {
  return {
    items: conceptDisplays(cs.examItem),
    deviceTypes: conceptDisplays(cs.deviceType),
    bodyParts: conceptDisplays(cs.bodyPart),
    scanMethods: conceptDisplays(cs.scanMethod),
    postProcessing: conceptDisplays(cs.postProcessing),
    xrayPositions: conceptDisplays(cs.xrayPosition),
    additionalCodes: conceptDisplays(cs.additionalCode),
  };
}
