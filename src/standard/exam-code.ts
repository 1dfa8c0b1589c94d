/**
 * The 14-character exam-item code of Q/YMYG 001—2023 (§6.3): seven 2-character segments
 * device type | body part L1 | L2 | L3 | scan method | post-processing or X-ray position | additional code.
 * Pure functions: the dictionaries come in as an ExamCodeIndex (see exam-code-index.ts).
 */

export interface ExamCodeSegments {
  deviceType: string;
  bodyPartL1: string;
  /** Second body-part segment (2 chars); the L2 code is bodyPartL1 + bodyPartL2. */
  bodyPartL2: string;
  /** Third body-part segment (2 chars); the L3 code is L1 + L2 + L3 segments. */
  bodyPartL3: string;
  scanMethod: string;
  postOrPosition: string;
  additionalCode: string;
}

export type SegmentName = keyof ExamCodeSegments;

/** Segment order, 1-based character positions and the dictionary each one is coded in. */
export const SEGMENTS: ReadonlyArray<{ name: SegmentName; from: number; label: string; dictionary: string }> = [
  { name: 'deviceType', from: 1, label: '设备类型 device type', dictionary: 'device-type' },
  { name: 'bodyPartL1', from: 3, label: '一级部位 body part level 1', dictionary: 'body-part' },
  { name: 'bodyPartL2', from: 5, label: '二级部位 body part level 2', dictionary: 'body-part' },
  { name: 'bodyPartL3', from: 7, label: '三级部位 body part level 3', dictionary: 'body-part' },
  { name: 'scanMethod', from: 9, label: '扫描方式 scan method', dictionary: 'scan-method' },
  { name: 'postOrPosition', from: 11, label: '后处理/体位 post-processing or X-ray position', dictionary: 'post-processing / xray-position' },
  { name: 'additionalCode', from: 13, label: '附加码 additional code', dictionary: 'additional-code' },
];

/** Letters and digits only; the standard skips i, l, o but codes are compared case-sensitively as published. */
const CODE_RE = /^[0-9A-Za-z]{14}$/;

/** Splits a well-formed 14-character code into its segments, or undefined if it is not one. */
export function splitExamCode(code: string): ExamCodeSegments | undefined {
  if (!CODE_RE.test(code)) return undefined;
  return {
    deviceType: code.slice(0, 2),
    bodyPartL1: code.slice(2, 4),
    bodyPartL2: code.slice(4, 6),
    bodyPartL3: code.slice(6, 8),
    scanMethod: code.slice(8, 10),
    postOrPosition: code.slice(10, 12),
    additionalCode: code.slice(12, 14),
  };
}

export function joinExamCode(s: ExamCodeSegments): string {
  return s.deviceType + s.bodyPartL1 + s.bodyPartL2 + s.bodyPartL3 + s.scanMethod + s.postOrPosition + s.additionalCode;
}

/** Body-part codes as the dictionary holds them: L1 (2), L2 (4), L3 (6 characters). */
export function bodyPartCodes(s: ExamCodeSegments): { l1: string; l2: string; l3: string } {
  const l1 = s.bodyPartL1;
  const l2 = l1 + s.bodyPartL2;
  return { l1, l2, l3: l2 + s.bodyPartL3 };
}

/** Device-specific device types and the neutral type their items are formed from (§6.1.2). */
export const DEVICE_SPECIFIC_TO_NEUTRAL: Readonly<Record<string, string>> = {
  '21': '20', '22': '20', '23': '20', '24': '20', '25': '20',
  '31': '30', '32': '30', '33': '30', '34': '30', '35': '30',
  '43': '40',
};

/** Modality label that starts the names of neutral items: `* CT…`, `* MR…`, `* DR…`. */
export const NEUTRAL_NAME_PREFIX: Readonly<Record<string, string>> = { '20': 'CT', '30': 'MR', '40': 'DR' };

export interface InstitutionExtension {
  /** The standard code the extension refines. */
  base: string;
  /** Institution-defined suffix after `-` (standard §7). */
  suffix: string;
}

/**
 * §7: institutions extend a standard item as `<code>-<suffix>` (e.g. `20030202110000-x` for
 * *CT颈椎（平扫）-（C1-C3）). Returns the parts, or undefined when the text is not of that form.
 */
export function parseInstitutionExtension(text: string): InstitutionExtension | undefined {
  const m = /^([0-9A-Za-z]{14})-(.+)$/.exec(text.trim());
  if (!m || m[2]!.trim() === '') return undefined;
  return { base: m[1]!, suffix: m[2]! };
}

/**
 * For a device-specific code (device type 21–25, 31–35, 43) the device-neutral code it is formed
 * from (§6.1.2); otherwise an error naming the device-type segment. Does not check that items exist.
 */
export function neutralCodeOf(code: string): { neutralCode: string; neutralDeviceType: string } | { error: string } {
  const s = splitExamCode(code);
  if (!s) return { error: `not a 14-character exam code: ${JSON.stringify(code)}` };
  const neutralDeviceType = DEVICE_SPECIFIC_TO_NEUTRAL[s.deviceType];
  if (!neutralDeviceType) {
    return { error: `segment 设备类型 device type (positions 1-2) "${s.deviceType}" is not a device-specific type (21–25, 31–35, 43)` };
  }
  return { neutralCode: neutralDeviceType + code.slice(2), neutralDeviceType };
}
