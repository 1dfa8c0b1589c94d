/**
 * The shape of one exam item of Q/YMYG 001—2023 as the engine, the matcher and the HL7 gateway
 * see it. Built from the exam-item CodeSystem (concept + properties), never from raw tables at
 * run time, so a newly imported release is picked up like any other CodeSystem version.
 */

/** Modality letter of the standard (appendix A): 2 CT, 3 MR, 4 X-ray, 5 US, A PET/CT, B PET/MR, C SPECT. */
export type ModalityCode = '2' | '3' | '4' | '5' | 'A' | 'B' | 'C';

export interface ExamItem {
  /** 14-character case-sensitive code (CT/MR/X-ray), or the extension formats for US/PET/SPECT. */
  code: string;
  /** Standard name as published, e.g. `* CT颅脑(平扫)`. */
  display: string;
  /** Short modality label used in names: CT, MR, DR, MG, RF, US, PET/CT, PET/MR, SPECT … */
  modality: string;
  /** Device-type segment (positions 1-2), e.g. '20'. */
  deviceType: string;
  /** Body part codes: L1 (2 chars), L2 (4 chars), L3 (6 chars). */
  bodyPartL1: string;
  bodyPartL2: string;
  bodyPartL3: string;
  bodyPartL3Name: string;
  /** Scan method segment (positions 9-10) and its name. */
  scan: string;
  scanName: string;
  /** Post-processing (CT/MR) or X-ray position (X-ray) segment (positions 11-12) and its name; '00' = none. */
  postOrPosition: string;
  postOrPositionName: string;
  /** Additional code (positions 13-14). */
  additional: string;
}
