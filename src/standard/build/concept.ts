/** Neutral concept model the CodeSystem writers turn into FHIR (one per dictionary entry or item). */
export type PropertyValue =
  | { code: string; valueCode: string }
  | { code: string; valueString: string }
  | { code: string; valueBoolean: boolean }
  | { code: string; valueInteger: number };

export interface Designation {
  value: string;
  language?: string;
  /** Why the designation exists: 'synonym' (a typed variant) or 'english'. */
  kind: 'synonym' | 'english' | 'source-spelling';
}

export interface SourceConcept {
  code: string;
  display: string;
  definition?: string;
  /** Parent code in the same system (hierarchy via `parent` property and concept nesting). */
  parent?: string;
  /** A grouping concept that is not itself a selectable code (`notSelectable`). */
  abstract?: boolean;
  /** Published but not for new use (e.g. duplicated appendix rows). */
  inactive?: boolean;
  designations: Designation[];
  properties: PropertyValue[];
}

export function codeProp(code: string, valueCode: string): PropertyValue {
  return { code, valueCode };
}
export function stringProp(code: string, valueString: string): PropertyValue {
  return { code, valueString };
}
export function boolProp(code: string, valueBoolean: boolean): PropertyValue {
  return { code, valueBoolean };
}
