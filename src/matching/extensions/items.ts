/**
 * Items of the standard's extension code systems (ultrasound, PET, SPECT) as the extension matcher reads
 * them: every segment comes from the item's own properties and display, never from a list of item names.
 *
 * US approach and sub-item names come from the `us-approach` / `us-subitem` dictionaries when given (the item
 * carries their codes); without them, from the display = `*` + approach + part (L2) + sub-item + method +
 * `超声检查`, i.e. the text around the `bodyPartName` property up to the `scanMethodName` (which loses a sub-item
 * that repeats the part: `*胎儿心脏…` is sub-item `胎儿心脏`, so pass the dictionaries).
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

/** The US dictionaries naming the approach and sub-item codes of the items. */
export interface UsDictionaries {
  approach?: CodeSystem;
  subItem?: CodeSystem;
}

/** Code → name; the all-zero code (`0`, `00`, displayed `无` or `-`) is "no approach / no sub-item". */
const namesOf = (cs: CodeSystem | undefined): Map<string, string> =>
  new Map((cs?.concept ?? []).map((c) => [c.code, /^0+$/.test(c.code) || !c.display || c.display === '-' ? '' : c.display]));

function usItem(c: CodeSystemConcept, system: string, display: string, dict: { approach: Map<string, string>; subItem: Map<string, string> }): ExtensionItem | undefined {
  const part = prop(c, 'bodyPartName');
  const method = prop(c, 'scanMethodName');
  const name = display.replace(STAR, '');
  const at = part ? name.indexOf(part) : -1;
  const end = method ? name.lastIndexOf(`${method}超声检查`) : -1;
  if (!part || !method || at < 0 || end < at + part.length) return undefined;
  const approach = dict.approach.get(prop(c, 'approach') ?? '') ?? name.slice(0, at);
  const subItem = dict.subItem.get(prop(c, 'subItem') ?? '') ?? name.slice(at + part.length, end);
  return { family: 'US', system, code: c.code, display, part, approach, subItem, method, device: '' };
}

/** Extension items of one CodeSystem (empty when it is not an extension item list). */
export function extensionItemsFromCodeSystem(cs: CodeSystem, us: UsDictionaries = {}): ExtensionItem[] {
  const system = cs.url ?? '';
  const dict = { approach: namesOf(us.approach), subItem: namesOf(us.subItem) };
  const out: ExtensionItem[] = [];
  for (const c of cs.concept ?? []) {
    const family = familyOf(prop(c, 'modality'));
    const display = c.display ?? c.code;
    if (!family) continue;
    if (family === 'US') {
      const item = usItem(c, system, display, dict);
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

const readCs = (root: string, f: string): CodeSystem | undefined => {
  const path = join(root, f);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as CodeSystem) : undefined;
};

/** The published extension CodeSystems of a checkout (for tools: bulk, eval, bench). */
export function loadDefaultExtensionItems(root: string): ExtensionItem[] {
  const us = { approach: readCs(root, 'codesystems/us-approach.json'), subItem: readCs(root, 'codesystems/us-subitem.json') };
  const items: ExtensionItem[] = [];
  for (const f of EXTENSION_CODESYSTEM_FILES) {
    const cs = readCs(root, f);
    if (cs) items.push(...extensionItemsFromCodeSystem(cs, us));
  }
  return items;
}
