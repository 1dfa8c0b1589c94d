/**
 * Explains a 14-character exam code against the standard: a published item, a device-specific
 * variant of one (§6.1.2), an institution extension (§7), or invalid — and then exactly why.
 */
import type { ExamCodeIndex } from './exam-code-index.js';
import {
  SEGMENTS, DEVICE_SPECIFIC_TO_NEUTRAL, NEUTRAL_NAME_PREFIX, splitExamCode, bodyPartCodes, parseInstitutionExtension,
  type ExamCodeSegments, type SegmentName,
} from './exam-code.js';

export interface ExamCodeIssue {
  /** The segment at fault, when one is. */
  segment?: SegmentName;
  /** 1-based character positions, e.g. '9-10'. */
  positions?: string;
  /** CodeSystem id the segment is coded in. */
  dictionary?: string;
  value?: string;
  message: string;
}

export type ExamCodeAnalysis =
  | { kind: 'item'; code: string; display: string }
  | { kind: 'device-specific'; code: string; display: string; neutralCode: string; neutralDisplay: string; deviceType: string; deviceName: string }
  | { kind: 'extension'; code: string; base: ExamCodeAnalysis; suffix: string; display?: string }
  | { kind: 'invalid'; code: string; message: string; issues: ExamCodeIssue[]; suggestions: string[] };

const GROUP: Record<string, 'CT' | 'MR' | 'XR'> = { '2': 'CT', '3': 'MR', '4': 'XR' };
const GROUP_LABEL = { CT: 'CT', MR: 'MR', XR: 'X-ray (DR/MG/RF)' };

function at(name: SegmentName): { positions: string; label: string } {
  const s = SEGMENTS.find((x) => x.name === name)!;
  return { positions: `${s.from}-${s.from + 1}`, label: s.label };
}

function issue(segment: SegmentName, dictionary: string, value: string, what: string): ExamCodeIssue {
  const { positions, label } = at(segment);
  return { segment, positions, dictionary, value, message: `segment ${label} (positions ${positions}) "${value}" ${what}` };
}

function invalid(code: string, issues: ExamCodeIssue[], suggestions: string[] = []): ExamCodeAnalysis {
  const message = `${code} is not a valid Q/YMYG 001—2023 exam code: ${issues.map((i) => i.message).join('; ')}`;
  return { kind: 'invalid', code, message, issues, suggestions };
}

/** Checks each segment against its dictionary; returns the issues (empty when all segments are known). */
export function segmentIssues(s: ExamCodeSegments, index: ExamCodeIndex): ExamCodeIssue[] {
  const issues: ExamCodeIssue[] = [];
  const group = GROUP[s.deviceType[0]!];
  if (!index.deviceTypes.has(s.deviceType)) {
    issues.push(issue('deviceType', 'device-type', s.deviceType, 'is not a device type (CodeSystem device-type: 20-25, 30-35, 40, 42-45)'));
  } else if (!group) {
    issues.push(issue('deviceType', 'device-type', s.deviceType, 'is not CT, MR or X-ray: ultrasound, PET and SPECT items have their own code formats'));
  }
  const bp = bodyPartCodes(s);
  if (!index.bodyParts.has(bp.l1)) issues.push(issue('bodyPartL1', 'body-part', s.bodyPartL1, 'is not a level-1 body part (CodeSystem body-part)'));
  else if (!index.bodyParts.has(bp.l2)) issues.push(issue('bodyPartL2', 'body-part', s.bodyPartL2, `does not form a level-2 body part under ${bp.l1} ${index.bodyParts.get(bp.l1)} (no code ${bp.l2} in CodeSystem body-part)`));
  else if (!index.bodyParts.has(bp.l3)) issues.push(issue('bodyPartL3', 'body-part', s.bodyPartL3, `does not form a level-3 body part under ${bp.l2} ${index.bodyParts.get(bp.l2)} (no code ${bp.l3} in CodeSystem body-part)`));
  if (group) {
    if (!index.scanMethods.has(`${group}-${s.scanMethod}`)) {
      const elsewhere = (['CT', 'MR', 'XR'] as const).filter((g) => g !== group && index.scanMethods.has(`${g}-${s.scanMethod}`));
      const hint = elsewhere.length > 0 ? ` (it is a ${elsewhere.map((g) => GROUP_LABEL[g]).join('/')} scan method)` : '';
      issues.push(issue('scanMethod', 'scan-method', s.scanMethod, `is not a ${GROUP_LABEL[group]} scan method${hint}`));
    }
    if (group === 'XR') {
      if (s.postOrPosition !== '00' && !index.xrayPositions.has(s.postOrPosition)) issues.push(issue('postOrPosition', 'xray-position', s.postOrPosition, 'is not an X-ray position (CodeSystem xray-position)'));
    } else if (!index.postProcessing.has(s.postOrPosition)) {
      issues.push(issue('postOrPosition', 'post-processing', s.postOrPosition, 'is not a post-processing code (CodeSystem post-processing)'));
    }
  }
  if (!index.additionalCodes.has(s.additionalCode)) issues.push(issue('additionalCode', 'additional-code', s.additionalCode, 'is not a defined additional code (only 00 is defined)'));
  return issues;
}

/** Up to `limit` published items sharing device type and body part with the code, for the message. */
function nearbyItems(s: ExamCodeSegments, index: ExamCodeIndex, limit = 5): string[] {
  const prefix = s.deviceType + bodyPartCodes(s).l3;
  const out: string[] = [];
  for (const [code, display] of index.items) {
    if (code.startsWith(prefix)) out.push(`${code} ${display}`);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * The standard's name for a device-specific item (§6.2: device type + body part + (scan + post-processing)):
 * the neutral item's name with the modality label replaced by the device type's name,
 * e.g. `* CT左膝关节(平扫+增强+三维重建)` → `16排CT左膝关节(平扫+增强+三维重建)`. The `*` that marks names
 * of the published list is left off: these items are generated, not published (the forms with `*` are
 * accepted as designations by the provider).
 */
export function deviceSpecificDisplay(neutralDisplay: string, neutralDeviceType: string, deviceName: string): string | undefined {
  const label = NEUTRAL_NAME_PREFIX[neutralDeviceType];
  if (!label) return undefined;
  const m = new RegExp(`^(?:\\*\\s*)?${label}(.*)$`).exec(neutralDisplay);
  return m ? `${deviceName}${m[1]}` : undefined;
}

export function analyseExamCode(code: string, index: ExamCodeIndex): ExamCodeAnalysis {
  const ext = parseInstitutionExtension(code);
  if (ext) {
    const base = analyseExamCode(ext.base, index);
    if (base.kind === 'invalid') return invalid(code, [{ message: `institution extension of ${ext.base}, which is itself invalid: ${base.issues.map((i) => i.message).join('; ')}` }], base.suggestions);
    return { kind: 'extension', code, base, suffix: ext.suffix };
  }
  const s = splitExamCode(code);
  if (!s) {
    if (code.length !== 14) return invalid(code, [{ message: `wrong length: ${code.length} characters, an exam code has 14 (7 segments of 2)` }]);
    const bad = [...code].filter((c) => !/[0-9A-Za-z]/.test(c));
    return invalid(code, [{ message: `only letters and digits are allowed (found ${JSON.stringify(bad.join(''))})` }]);
  }
  const display = index.items.get(code);
  if (display !== undefined) return { kind: 'item', code, display };
  const issues = segmentIssues(s, index);
  if (issues.length > 0) return invalid(code, issues);

  const neutralType = DEVICE_SPECIFIC_TO_NEUTRAL[s.deviceType];
  if (neutralType) {
    const neutralCode = neutralType + code.slice(2);
    const neutralDisplay = index.items.get(neutralCode);
    const deviceName = index.deviceTypes.get(s.deviceType)!;
    if (neutralDisplay === undefined) {
      return invalid(code, [{ segment: 'deviceType', positions: '1-2', dictionary: 'device-type', value: s.deviceType, message: `device-specific code (${s.deviceType} ${deviceName}) but the device-neutral item ${neutralCode} does not exist: segments 3-14 form no item` }], nearbyItems({ ...s, deviceType: neutralType }, index));
    }
    const built = deviceSpecificDisplay(neutralDisplay, neutralType, deviceName);
    if (!built) {
      return invalid(code, [{ segment: 'deviceType', positions: '1-2', dictionary: 'device-type', value: s.deviceType, message: `the neutral item ${neutralCode} "${neutralDisplay}" does not start with ${NEUTRAL_NAME_PREFIX[neutralType]}, so no device-specific name can be built` }]);
    }
    return { kind: 'device-specific', code, display: built, neutralCode, neutralDisplay, deviceType: s.deviceType, deviceName };
  }
  return invalid(code, [{ message: 'every segment is valid but together they form no item of the standard' }], nearbyItems(s, index));
}
