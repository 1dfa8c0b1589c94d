/**
 * Code-system provider for the exam-item CodeSystem (src/terminology/codesystems/provider.ts).
 * The published concepts behave like any CodeSystem; on top of that `locate`
 * - accepts device-specific codes (device types 21–25, 31–35, 43) whose device-neutral item exists,
 *   with the display built the standard's way and the neutral item's properties (§6.1.2);
 * - explains every other unknown code: wrong length, which segment is unknown in which dictionary,
 *   valid segments that form no item, institution extensions (§7) that are not standard codes.
 *
 * Wiring (src/main.ts):
 *   registry.registerProviderFactory(`${base}/CodeSystem/exam-item`, examItemProviderFactory({ resolve }))
 * where `resolve(url)` returns the current CodeSystem resource for a canonical URL (the dictionaries).
 */
import type { CodeSystem } from 'fhir/r4';
import { ResourceCodeSystemProvider } from '../terminology/codesystems/resource-provider.js';
import type { Concept, LocateResult, ProviderFactory } from '../terminology/codesystems/provider.js';
import { analyseExamCode } from './exam-code-analysis.js';
import { indexFromCodeSystems, type ExamCodeIndex } from './exam-code-index.js';
import { CS } from './canonical.js';
import { typedVariants } from './names.js';
import { SYNONYM_USE } from './build/fhir-codesystem.js';

export interface ExamItemProviderOptions {
  /** Current CodeSystem resource for a canonical URL (used for the dictionary code systems). */
  resolve: (url: string) => CodeSystem | undefined;
}

const DICTIONARIES = {
  deviceType: CS.deviceType,
  bodyPart: CS.bodyPart,
  scanMethod: CS.scanMethod,
  postProcessing: CS.postProcessing,
  xrayPosition: CS.xrayPosition,
  additionalCode: CS.additionalCode,
} as const;

/** Base URL of the content from the exam-item url (…/CodeSystem/exam-item). */
function baseOf(url: string): string {
  return url.replace(/\/CodeSystem\/[^/]+$/, '');
}

export class ExamItemProvider extends ResourceCodeSystemProvider {
  private index?: ExamCodeIndex;
  private readonly derived = new Map<string, Concept>();

  constructor(resource: CodeSystem, supplements: CodeSystem[], private readonly options: ExamItemProviderOptions) {
    super(resource, supplements);
  }

  /** Built on first use: the dictionaries may be registered after the exam-item system. */
  private codeIndex(): ExamCodeIndex | undefined {
    if (this.index) return this.index;
    const base = baseOf(this.system);
    const dict: Partial<Record<keyof typeof DICTIONARIES, CodeSystem>> = {};
    for (const [key, id] of Object.entries(DICTIONARIES) as Array<[keyof typeof DICTIONARIES, string]>) {
      const cs = this.options.resolve(`${base}/CodeSystem/${id}`);
      if (!cs) return undefined;
      dict[key] = cs;
    }
    this.index = indexFromCodeSystems({ examItem: this.resource, ...(dict as Required<typeof dict>) });
    return this.index;
  }

  override locate(code: string): LocateResult {
    const found = super.locate(code);
    if (found.concept) return found;
    const cached = this.derived.get(code);
    if (cached) return { concept: cached };
    const index = this.codeIndex();
    if (!index) return { message: `${code} is not a published item of ${this.system}|${this.version ?? ''} (dictionaries not loaded, so device-specific codes cannot be checked)` };
    const a = analyseExamCode(code, index);
    if (a.kind === 'device-specific') {
      const neutral = super.locate(a.neutralCode).concept!;
      const concept: Concept = {
        code,
        display: a.display,
        definition: `特定设备项目: ${a.deviceType} ${a.deviceName} + 不区分设备项目 ${a.neutralCode} ${a.neutralDisplay} (Q/YMYG 001—2023 §6.1.2)`,
        designations: [`* ${a.display}`, `*${a.display}`, ...typedVariants(a.display)].map((value) => ({ language: 'zh', use: { ...SYNONYM_USE }, value })),
        properties: neutral.properties.map((p) => (p.code === 'deviceType' ? { code: 'deviceType', valueCode: a.deviceType } : { ...p })),
        parents: [],
        children: [],
        ordinal: this.concepts().length + this.derived.size,
      };
      this.derived.set(code, concept);
      return { concept };
    }
    if (a.kind === 'item') return { concept: super.locate(a.code).concept };
    if (a.kind === 'extension') {
      return { message: `${code} is an institution extension (§7) of ${a.base.code} "${'display' in a.base ? a.base.display : ''}", not a standard code: institutions publish such codes in their own CodeSystem (or a supplement) mapped to the base item` };
    }
    return { message: a.message };
  }
}

export function examItemProviderFactory(options: ExamItemProviderOptions): ProviderFactory {
  return (resource, supplements) => new ExamItemProvider(resource, supplements, options);
}
