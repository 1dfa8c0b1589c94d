/**
 * Public surface of the standardisation engine (for src/main.ts, the FHIR operations and the HL7 gateway).
 *
 *   const items = examItemsFromCodeSystem(examItemCs);           // or loadDefaultItems(root).items
 *   const engine = createMatcher(items);                         // builds dictionaries + indexes once
 *   const learned = new LearnedMappings(store.resources); await learned.load();
 *   const matcher = withLearned(engine, learned);                // ExamNameMatcher (CONTRACTS.md)
 */
export type { ExamNameMatcher, MatchCandidate, MatchDecision, MatchExam, MatchOptions, MatchResult } from './types.js';
export { createMatcher, DEFAULT_THRESHOLDS, lineDecision, StandardisationEngine, type EngineOptions, type Thresholds } from './matcher.js';
export { ExtensionMatcher, familyOfText } from './extensions/matcher.js';
export { extensionItemsFromCodeSystem, loadDefaultExtensionItems, type ExtensionItem, type ExtensionFamily } from './extensions/items.js';
export { examItemsFromCodeSystem, examItemsFromTsv, type SegmentDictionaries } from './items.js';
export { loadDefaultItems } from './load.js';
export { LearnedMappings, withLearned, learnedMapId, senderCodeSystem, senderNameSystem, type ReviewedDecision } from './learned.js';
export { findMatches, type FindMatchesContext } from './find-matches.js';
export { standardizeOperation, summarise, type StandardizeContext } from './standardize-operation.js';
export { measureSpeed, syntheticNames } from './benchmark.js';
