/**
 * The free-text matcher contract (fixed in CONTRACTS.md; fields may be added, never removed).
 * `$translate` falls back to it for free text; the HL7 gateway uses it for unmapped OBR-4 text.
 */

export interface MatchOptions {
  /** Modality hint from the caller (CT, MR, DR, MG, RF, or the appendix-A letter 2/3/4). */
  modality?: string;
  /** Sender (institution) id: its learned mappings are consulted first (see learned.ts). */
  sender?: string;
  /** The sender's local code for the name, for learned-mapping lookup. */
  localCode?: string;
  /** Max candidates per exam (default 5). */
  limit?: number;
}

export interface MatchCandidate {
  code: string;
  display: string;
  /** Canonical URL of the candidate's CodeSystem: exam-item, or us-/pet-/spect-exam-item (the extension matcher). */
  system: string;
  /** 0..1 */
  score: number;
}

export type MatchDecision = 'auto' | 'review' | 'none';

export interface MatchExam {
  /** The part of the input this exam was read from. */
  text: string;
  decision: MatchDecision;
  candidates: MatchCandidate[];
  /** What was recognised (modality, device, bodyPart, laterality, scan, postProcessing, views, …) and why. */
  facets: Record<string, unknown>;
}

export interface MatchResult {
  input: string;
  decision: MatchDecision;
  /** Several exams on one line: one entry per exam, each with its own candidates/decision. */
  exams: MatchExam[];
  /** Where the answer came from: the engine, or a sender's learned mapping (ConceptMap). */
  source?: 'engine' | 'learned';
  /** Why the line as a whole was rejected (billing/non-exam line, nothing recognised). */
  reason?: string;
}

export interface ExamNameMatcher {
  match(name: string, options?: MatchOptions): MatchResult;
}
