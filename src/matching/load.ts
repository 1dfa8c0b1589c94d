/**
 * Default item source for tools: the published exam-item CodeSystem when the content build has
 * produced it, else the V3.8.2 item table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeSystem } from 'fhir/r4';
import type { ExamItem } from '../standard/types.js';
import { loadDefaultExtensionItems } from './extensions/items.js';
import { ExtensionMatcher } from './extensions/matcher.js';
import { examItemsFromCodeSystem, examItemsFromTsv } from './items.js';
import { createMatcher, type StandardisationEngine } from './matcher.js';

export const EXAM_ITEM_CODESYSTEM_FILE = 'codesystems/exam-item-V3.8.2.json';
export const EXAM_ITEM_TSV_FILE = 'standard-tables/items-v3.8.2.tsv';

export function loadDefaultItems(root: string): { items: ExamItem[]; source: string } {
  const cs = join(root, EXAM_ITEM_CODESYSTEM_FILE);
  if (existsSync(cs)) {
    const items = examItemsFromCodeSystem(JSON.parse(readFileSync(cs, 'utf8')) as CodeSystem);
    if (items.length > 0) return { items, source: EXAM_ITEM_CODESYSTEM_FILE };
  }
  return { items: examItemsFromTsv(join(root, EXAM_ITEM_TSV_FILE)), source: EXAM_ITEM_TSV_FILE };
}

/** The engine of the tools (bulk, eval, bench): the checkout's exam items plus the extension matcher over its US/PET/SPECT CodeSystems. */
export function createDefaultMatcher(root: string): StandardisationEngine {
  const extensionItems = loadDefaultExtensionItems(root);
  return createMatcher(loadDefaultItems(root).items, extensionItems.length > 0 ? { extensions: new ExtensionMatcher(extensionItems) } : {});
}
