/** ExamItem records (src/standard/types.ts) read from a published exam-item CodeSystem. */
import type { CodeSystem, CodeSystemConcept } from 'fhir/r4';
import type { ExamItem } from './types.js';

function props(c: CodeSystemConcept): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of c.property ?? []) {
    const v = p.valueCode ?? p.valueString ?? (p.valueBoolean !== undefined ? String(p.valueBoolean) : undefined);
    if (v !== undefined) m.set(p.code, v);
  }
  return m;
}

export function examItemsFromCodeSystem(cs: CodeSystem): ExamItem[] {
  return (cs.concept ?? []).map((c) => {
    const p = props(c);
    const isXray = p.has('xrayPosition');
    return {
      code: c.code,
      display: c.display ?? c.code,
      modality: p.get('modality') ?? '',
      deviceType: p.get('deviceType') ?? c.code.slice(0, 2),
      bodyPartL1: p.get('bodyPartL1') ?? '',
      bodyPartL2: p.get('bodyPartL2') ?? '',
      bodyPartL3: p.get('bodyPartL3') ?? '',
      bodyPartL3Name: p.get('bodyPartName') ?? '',
      scan: p.get('scanMethod') ?? '',
      scanName: p.get('scanMethodName') ?? '',
      postOrPosition: (isXray ? p.get('xrayPosition') : p.get('postProcessing')) ?? '',
      postOrPositionName: (isXray ? p.get('xrayPositionName') : p.get('postProcessingName')) ?? '',
      additional: p.get('additionalCode') ?? '',
    };
  });
}
