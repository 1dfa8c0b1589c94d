/**
 * How the gateway finds the standard code for a local order code (OBR-4). Injected by main.ts so
 * that hl7/ stays independent of how ConceptMaps are stored.
 *
 * `createOrderCodeResolver` composes the two steps the issue asks for: first the sender's
 * ConceptMap (exact local code), then the free-text matcher on the local text when its decision is
 * `auto`; anything else is unmapped with the reason kept.
 */

/**
 * The part of the matcher contract (CONTRACTS.md, src/matching/types.ts `ExamNameMatcher`) the
 * gateway uses, declared structurally so a real ExamNameMatcher fits without an import cycle.
 */
export interface ExamNameMatcher {
  match(
    name: string,
    options?: { modality?: string; sender?: string; localCode?: string; limit?: number },
  ): {
    decision: 'auto' | 'review' | 'none';
    exams: Array<{ decision: 'auto' | 'review' | 'none'; candidates: Array<{ code: string; display: string; score: number; system?: string }> }>;
  };
}

export interface OrderCodeQuery {
  /** Sender identity (MSH-3/MSH-4 as configured), which selects the sender's ConceptMap. */
  sender: string;
  /** OBR-4.1, unescaped. */
  code: string;
  /** OBR-4.2, unescaped. */
  text: string;
  /** OBR-4.3, unescaped (e.g. 'L', '99HIS'). */
  codingSystem: string;
  /** OBR-24 (diagnostic service section = modality in IHE radiology), a hint for the matcher. */
  modality?: string;
}

export type OrderCodeResolution =
  | { kind: 'mapped'; code: string; display: string; system: string; via: 'conceptmap' | 'matcher'; score?: number }
  | { kind: 'unmapped'; reason: string };

export interface OrderCodeResolver {
  resolve(query: OrderCodeQuery): Promise<OrderCodeResolution>;
}

/** The ConceptMap step: returns the target of the sender's map for this local code, if any. */
export type ConceptMapLookup = (query: OrderCodeQuery) => Promise<{ code: string; display: string; system: string } | undefined>;

export interface ResolverParts {
  conceptMap?: ConceptMapLookup;
  matcher?: ExamNameMatcher;
  /** Canonical URL of the standard's exam-item CodeSystem (reported for a matcher hit whose candidate names no system). */
  standardSystem: string;
}

export function createOrderCodeResolver(parts: ResolverParts): OrderCodeResolver {
  return {
    async resolve(query) {
      if (parts.conceptMap && query.code) {
        const hit = await parts.conceptMap(query);
        if (hit) return { kind: 'mapped', ...hit, via: 'conceptmap' };
      }
      if (!parts.matcher) return { kind: 'unmapped', reason: `no ConceptMap entry for local code ${query.code}` };
      if (!query.text) return { kind: 'unmapped', reason: `no ConceptMap entry for local code ${query.code} and no text to match` };
      const result = parts.matcher.match(query.text, { sender: query.sender, localCode: query.code, modality: query.modality, limit: 3 });
      if (result.decision !== 'auto' || result.exams.length !== 1) {
        const why = result.exams.length > 1 ? `${result.exams.length} exams in one order line` : `matcher decision ${result.decision}`;
        return { kind: 'unmapped', reason: `no ConceptMap entry for local code ${query.code}; ${why}` };
      }
      const best = result.exams[0].candidates[0];
      if (!best) return { kind: 'unmapped', reason: `matcher returned no candidate for local code ${query.code}` };
      return { kind: 'mapped', code: best.code, display: best.display, system: best.system ?? parts.standardSystem, via: 'matcher', score: best.score };
    },
  };
}
