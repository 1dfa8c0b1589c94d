/**
 * Items of the standard's extension code systems (ultrasound, PET, SPECT) as the extension matcher reads
 * them: every segment comes from the item's own properties and display, never from a list of item names.
 *
 * US display = `*` + approach + part (L2) + sub-item + method + `超声检查` (e.g. `*经阴道子宫卵泡监测常规超声检查`),
 * so approach and sub-item are the text around the `bodyPartName` property up to the `scanMethodName`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeSystem, CodeSystemConcept } from 'fhir/r4';

export type ExtensionFamily = 'US' | 'PET' | 'SPECT';

export interface ExtensionItem {
  family: ExtensionFamily;
  /** Canonical URL of the item's CodeSystem. */
  system: string;
  code: string;
  display: string;
  /** Level-2 part name (`甲状腺`, `躯干+头部`, `静息心肌`). */
  part: string;
  /** US: approach name (`经阴道`) or ''. */
  approach: string;
  /** US: sub-item name (`卵泡监测`) or ''. */
  subItem: string;
  /** US: method name (`常规`, `弹性` …); SPECT: the item name without `SPECT` (the matcher's text); PET: ''. */
  method: string;
  /** PET: `PET/CT` or `PET/MR`. */
  device: string;
}

const prop = (c: CodeSystemConcept, code: string): string | undefined => {
  const p = c.property?.find((x) => x.code === code);
  return p ? (p.valueCode ?? p.valueString) : undefined;
};

/** The family of an extension CodeSystem, from its items' `modality` property (US, PET/CT or PET/MR, SPECT). */
function familyOf(modality: string | undefined): ExtensionFamily | undefined {
  if (modality === 'US') return 'US';
  if (modality === 'SPECT') return 'SPECT';
  if (modality?.startsWith('PET')) return 'PET';
  return undefined;
}

const STAR = /^\*\s*/;

function usItem(c: CodeSystemConcept, system: string, display: string): ExtensionItem | undefined {
  const part = prop(c, 'bodyPartName');
  const method = prop(c, 'scanMethodName');
  const name = display.replace(STAR, '');
  const at = part ? name.indexOf(part) : -1;
  const end = method ? name.lastIndexOf(`${method}超声检查`) : -1;
  if (!part || !method || at < 0 || end < at + part.length) return undefined;
  return { family: 'US', system, code: c.code, display, part, approach: name.slice(0, at), subItem: name.slice(at + part.length, end), method, device: '' };
}

/** Extension items of one CodeSystem (empty when it is not an extension item list). */
export function extensionItemsFromCodeSystem(cs: CodeSystem): ExtensionItem[] {
  const system = cs.url ?? '';
  const out: ExtensionItem[] = [];
  for (const c of cs.concept ?? []) {
    const family = familyOf(prop(c, 'modality'));
    const display = c.display ?? c.code;
    if (!family) continue;
    if (family === 'US') {
      const item = usItem(c, system, display);
      if (item) out.push(item);
      continue;
    }
    const part = prop(c, 'bodyPartName') ?? '';
    const device = prop(c, 'modality') ?? '';
    const method = family === 'SPECT' ? display.replace(STAR, '').replace(/^SPECT/i, '') : '';
    out.push({ family, system, code: c.code, display, part, approach: '', subItem: '', method, device });
  }
  return out;
}

export const EXTENSION_CODESYSTEM_FILES = ['codesystems/us-exam-item.json', 'codesystems/pet-exam-item.json', 'codesystems/spect-exam-item.json'];

/** The published extension CodeSystems of a checkout (for tools: bulk, eval, bench). */
export function loadDefaultExtensionItems(root: string): ExtensionItem[] {
  const items: ExtensionItem[] = [];
  for (const f of EXTENSION_CODESYSTEM_FILES) {
    const path = join(root, f);
    if (existsSync(path)) items.push(...extensionItemsFromCodeSystem(JSON.parse(readFileSync(path, 'utf8')) as CodeSystem));
  }
  return items;
}
