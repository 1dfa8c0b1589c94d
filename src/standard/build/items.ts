/**
 * Reads exam-item rows (the V3.8.2 list, or a newer release with the same columns) and validates
 * every segment of every code against the dictionaries. The 14-character code is authoritative:
 * segment columns that disagree with it are corrected from the code and reported.
 */
import type { BuildReport } from './report.js';
import type { Dictionaries } from './dictionaries.js';
import { SCAN_GROUP_BY_MODALITY_CODE, scanMethodKey } from './dictionaries.js';
import { splitExamCode } from '../exam-code.js';

/** Column names of the V3.8.2 TSV, with the Chinese headers of the official xlsx as aliases. */
export const ITEM_COLUMN_ALIASES: Record<string, string> = {
  模态: 'modality',
  一级编码: 'level1_code',
  一级部位: 'level1_name',
  二级编码: 'level2_code',
  二级部位: 'level2_name',
  三级编码: 'level3_code',
  三级部位: 'level3_name',
  项目编码: 'code',
  项目标准名: 'name',
  扫描编码: 'scan_code',
  扫描方式: 'scan_name',
  后处理编码: 'postproc_or_position_code',
  后处理: 'postproc_or_position_name',
  版本号: 'version',
};

export const REQUIRED_ITEM_COLUMNS = ['modality', 'code', 'name'];

export interface ItemRow {
  line: number;
  values: Record<string, string>;
}

export interface ExamItemRecord {
  code: string;
  display: string;
  /** Modality label of the list (CT, MR, DR, MG, RF). */
  modality: string;
  /** Appendix-A modality letter (2 CT, 3 MR, 4 X-ray). */
  modalityCode: string;
  deviceType: string;
  bodyPartL1: string;
  bodyPartL2: string;
  bodyPartL3: string;
  bodyPartL3Name: string;
  scanMethod: string;
  scanMethodName: string;
  /** CT/MR: post-processing; X-ray: position. */
  postOrPosition: string;
  postOrPositionName: string;
  additionalCode: string;
  inPublishedAppendix?: boolean;
  version: string;
  line: number;
}

export interface ItemReadOptions {
  file: string;
  rows: ItemRow[];
  dictionaries: Dictionaries;
  report: BuildReport;
  /** Version to expect in the 版本号 column (rows with another value are reported). */
  version: string;
}

const SEGMENT_WIDTH: Record<string, number> = {
  level1_code: 2,
  level2_code: 4,
  level3_code: 6,
  scan_code: 2,
  postproc_or_position_code: 2,
  device_type_code: 2,
  additional_code: 2,
};

/** Spreadsheets turn `0101` into 101: pad purely numeric codes back to their fixed width. */
export function padNumericCell(column: string, value: string): string {
  const width = column === 'code' ? 14 : SEGMENT_WIDTH[column];
  if (!width || !/^\d+$/.test(value) || value.length >= width) return value;
  return value.padStart(width, '0');
}

interface Lookups {
  deviceTypes: Map<string, string>;
  bodyParts: Map<string, string>;
  scan: Map<string, string>;
  post: Map<string, string>;
  xray: Map<string, string>;
  additional: Set<string>;
}

function lookups(d: Dictionaries): Lookups {
  const m = (cs: { code: string; display: string; abstract?: boolean }[]) => new Map(cs.filter((c) => !c.abstract).map((c) => [c.code, c.display]));
  return {
    deviceTypes: m(d.deviceType),
    bodyParts: m(d.bodyPart),
    scan: m(d.scanMethod),
    post: m(d.postProcessing),
    xray: m(d.xrayPosition),
    additional: new Set(d.additionalCode.map((c) => c.code)),
  };
}

export function readExamItems(opts: ItemReadOptions): ExamItemRecord[] {
  const { file, report } = opts;
  const lk = lookups(opts.dictionaries);
  const out: ExamItemRecord[] = [];
  const byCode = new Map<string, ExamItemRecord>();
  const byName = new Map<string, ExamItemRecord>();
  for (const row of opts.rows) {
    const v = (k: string) => padNumericCell(k, (row.values[k] ?? '').trim());
    const code = v('code');
    const display = (row.values.name ?? '').trim();
    const seg = splitExamCode(code);
    if (!seg) {
      report.rejection(file, row.line, code, `item code must be 14 letters/digits (got ${code.length} characters)`);
      continue;
    }
    if (!display) {
      report.rejection(file, row.line, code, 'item has no standard name');
      continue;
    }
    const dup = byCode.get(code);
    if (dup) {
      if (dup.display === display) report.rejection(file, row.line, code, `duplicated row (same code and name as line ${dup.line}); published once`);
      else report.rejection(file, row.line, code, `code already used on line ${dup.line} for "${dup.display}"; this row ("${display}") is not published`);
      continue;
    }
    const sameName = byName.get(display);
    if (sameName) report.warning(file, row.line, code, `same name as ${sameName.code} (line ${sameName.line})`);

    // Segment columns must agree with the code; the code wins.
    const expected: Record<string, string> = {
      device_type_code: seg.deviceType,
      level1_code: seg.bodyPartL1,
      level2_code: seg.bodyPartL1 + seg.bodyPartL2,
      level3_code: seg.bodyPartL1 + seg.bodyPartL2 + seg.bodyPartL3,
      scan_code: seg.scanMethod,
      postproc_or_position_code: seg.postOrPosition,
      additional_code: seg.additionalCode,
    };
    for (const [col, want] of Object.entries(expected)) {
      if (!(col in row.values)) continue;
      const got = v(col);
      if (got !== want) {
        const note = /source says (\w+)/.exec(row.values.status ?? '');
        const was = got || (note ? `${note[1]} in the original xlsx, blank in the TSV` : 'blank');
        report.correction(file, row.line, code, `${col} is "${was}" but the item code says "${want}"; published as ${want} (the code is authoritative; the L3 code ${expected.level3_code} lies under ${expected.level2_code})`);
      }
    }

    // The table keeps a note where the original xlsx disagreed with the code (e.g. 二级编码 0731 for 45081102X10000).
    const status = (row.values.status ?? '').trim();
    const noted = /^verbatim;\s*(.*inconsistent.*)$/.exec(status);
    if (noted) {
      report.correction(file, row.line, code, `source row: ${noted[1]}; published with the segments of the code (L2 ${expected.level2_code}, under L1 ${expected.level1_code}, L3 ${expected.level3_code})`);
    }

    const modalityCode = seg.deviceType[0]!;
    const group = SCAN_GROUP_BY_MODALITY_CODE[modalityCode];
    const problems: string[] = [];
    if (!lk.deviceTypes.has(seg.deviceType)) problems.push(`device type ${seg.deviceType} is not in the device-type dictionary`);
    if (!group) problems.push(`device type ${seg.deviceType} is not CT, MR or X-ray`);
    for (const [label, c] of [
      ['body part L1', expected.level1_code!],
      ['body part L2', expected.level2_code!],
      ['body part L3', expected.level3_code!],
    ] as const) {
      if (!lk.bodyParts.has(c)) problems.push(`${label} ${c} is not in the body-part dictionary`);
    }
    const scanName = group ? lk.scan.get(scanMethodKey(group, seg.scanMethod)) : undefined;
    if (group && scanName === undefined) problems.push(`scan method ${seg.scanMethod} is not a ${group} scan method`);
    const isXray = modalityCode === '4';
    const postName = isXray ? lk.xray.get(seg.postOrPosition) ?? (seg.postOrPosition === '00' ? '' : undefined) : lk.post.get(seg.postOrPosition);
    if (postName === undefined) problems.push(isXray ? `X-ray position ${seg.postOrPosition} is not in the position dictionary` : `post-processing ${seg.postOrPosition} is not in the post-processing dictionary`);
    if (!lk.additional.has(seg.additionalCode)) problems.push(`additional code ${seg.additionalCode} is not defined`);
    if (problems.length > 0) {
      report.rejection(file, row.line, code, problems.join('; '));
      continue;
    }

    const version = v('version');
    if (version && version !== opts.version) report.warning(file, row.line, code, `版本号 column says ${version}, building ${opts.version}`);
    const appendix = row.values['also_in_published_appendix_G-J']?.trim();
    const modality = v('modality');
    const record: ExamItemRecord = {
      code,
      display,
      modality,
      modalityCode,
      deviceType: seg.deviceType,
      bodyPartL1: expected.level1_code!,
      bodyPartL2: expected.level2_code!,
      bodyPartL3: expected.level3_code!,
      bodyPartL3Name: lk.bodyParts.get(expected.level3_code!)!,
      scanMethod: seg.scanMethod,
      scanMethodName: scanName ?? '',
      postOrPosition: seg.postOrPosition,
      postOrPositionName: postName ?? '',
      additionalCode: seg.additionalCode,
      inPublishedAppendix: appendix === 'Y' ? true : appendix === 'N' ? false : undefined,
      version: opts.version,
      line: row.line,
    };
    checkNames({ ...opts, bodyPartNames: lk.bodyParts }, row, record);
    byCode.set(code, record);
    byName.set(display, record);
    out.push(record);
  }
  return out;
}

/** Name columns of the list should agree with the dictionaries; differences are reported only. */
function checkNames(opts: ItemReadOptions & { bodyPartNames: Map<string, string> }, row: ItemRow, r: ExamItemRecord): void {
  const norm = (s: string) => s.replace(/\s+/g, '').replace(/[［］（）]/g, (c) => ({ '［': '[', '］': ']', '（': '(', '）': ')' })[c] ?? c);
  const checks: Array<[string, string, string]> = [
    ['level1_name', r.bodyPartL1, '一级部位'],
    ['level2_name', r.bodyPartL2, '二级部位'],
    ['level3_name', r.bodyPartL3, '三级部位'],
  ];
  for (const [col, code, label] of checks) {
    if (!(col in row.values)) continue;
    const got = (row.values[col] ?? '').trim();
    const want = opts.bodyPartNames.get(code) ?? '';
    if (!got) opts.report.correction(opts.file, row.line, r.code, `${label} name column is blank; the body-part dictionary name "${want}" of ${code} applies`);
    else if (norm(got) !== norm(want)) opts.report.warning(opts.file, row.line, r.code, `${label} "${got}" differs from the body-part dictionary name "${want}" for ${code}`);
  }
  // §6.2: the name starts with the modality/device label and names the body part, laterality included.
  const label = r.deviceType === '42' ? '移动DR' : r.modality;
  const bare = r.display.replace(/^\*\s*/, '');
  if (!bare.startsWith(label)) opts.report.warning(opts.file, row.line, r.code, `name "${r.display}" does not start with the modality label ${label}`);
  const side = /^[左右双]/.exec(r.bodyPartL3Name)?.[0];
  if (side && !bare.includes(side)) {
    opts.report.warning(opts.file, row.line, r.code, `name "${r.display}" leaves out the laterality 「${side}」 of its body part ${r.bodyPartL3} ${r.bodyPartL3Name}; published as named`);
  }
}
