/**
 * Response comparison with the semantics of the HL7 tx-ecosystem Java runner
 * (CompareUtilities.checkJsonSrcIsSame, see ../shared/tx-ecosystem/RUNNING.md §5).
 */
export interface CompareOptions {
  /** Modes switched on (always includes `general`). */
  modes: Set<string>;
  /** FHIR version the client claims ('4.0.1'). */
  fhirVersion: string;
  /** Externals messages for this response file (number → text), when an externals file is used. */
  externals?: Record<string, string>;
  /** Pattern mode (metadata tests): extra properties ignored, arrays matched as ordered subsequences. */
  pattern?: boolean;
  /**
   * Receives each string pair accepted only by the base64 fallback, so a report can say which
   * passes rest on it. Entries from array alternatives that did not match are withdrawn.
   */
  lenientMatches?: string[];
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

const REGEX: Record<string, RegExp> = {
  instant: /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/,
  date: /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/,
  uuid: /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  id: /^[A-Za-z0-9\-.]{1,64}$/,
  url: /^(https?:\/\/|urn:)\S+$/,
  token: /^[0-9a-zA-Z_][0-9a-zA-Z_.\-]*$/,
  semver: /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/,
};

/** Whether an expected array element is optional under the current modes/version (RUNNING.md §5.3). */
export function isOptionalElement(expected: Json, opts: CompareOptions): boolean {
  if (!isObject(expected) || !('$optional$' in expected)) return false;
  const flag = expected.$optional$;
  if (flag === true) return true;
  if (typeof flag !== 'string') return false;
  if (flag.startsWith('warning:')) return true;
  if (flag.startsWith('version:')) return opts.fhirVersion.startsWith(flag.slice('version:'.length));
  if (flag.startsWith('!')) return !opts.modes.has(flag.slice(1));
  return opts.modes.has(flag);
}

/** Compares a primitive expected value (with templates) against an actual one; returns an error or null. */
export function comparePrimitive(expected: Json, actual: Json, path: string, opts: CompareOptions): string | null {
  if (typeof expected !== typeof actual) {
    return `${path}: type mismatch, expected ${JSON.stringify(expected)} got ${JSON.stringify(actual)}`;
  }
  if (typeof expected === 'number' || typeof expected === 'boolean') {
    return String(expected) === String(actual) ? null : `${path}: expected ${String(expected)} got ${String(actual)}`;
  }
  if (typeof expected !== 'string' || typeof actual !== 'string') return `${path}: unsupported primitive`;
  if (matchTemplate(expected, actual, opts)) return null;
  const difference = `${path}: expected ${JSON.stringify(expected)} got ${JSON.stringify(actual)}`;
  if (!sameBase64Bytes(expected, actual)) return difference;
  opts.lenientMatches?.push(difference);
  return null;
}

const BASE64_VALUE = new Map<string, number>(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]),
);
BASE64_VALUE.set('-', 62).set('_', 63);

/**
 * The Java comparator's last resort for two unequal strings (RUNNING.md §5.2: "a base64
 * byte-equality fallback exists"): both are decoded with commons-codec's lenient
 * `Base64.decodeBase64`, which skips every character outside the base64 and base64url alphabets
 * and stops at the first `=`, and the strings count as equal when the bytes are. So texts that
 * differ only in spaces and punctuation ("Display 2" / "Display #2") compare equal there.
 */
export function sameBase64Bytes(a: string, b: string): boolean {
  const x = lenientBase64Decode(a);
  const y = lenientBase64Decode(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function lenientBase64Decode(text: string): number[] {
  const bytes: number[] = [];
  let bits = 0;
  let count = 0;
  for (const c of text) {
    if (c === '=') break;
    const v = BASE64_VALUE.get(c);
    if (v === undefined) continue;
    bits = (bits << 6) | v;
    count++;
    if (count === 4) {
      bytes.push((bits >> 16) & 0xff, (bits >> 8) & 0xff, bits & 0xff);
      bits = 0;
      count = 0;
    }
  }
  // A trailing group of 2 or 3 characters yields 1 or 2 bytes; a lone character is dropped.
  if (count === 2) bytes.push((bits >> 4) & 0xff);
  if (count === 3) bytes.push((bits >> 10) & 0xff, (bits >> 2) & 0xff);
  return bytes;
}

/** Runs one alternative comparison, withdrawing its lenient-match notes when it fails. */
function attempt(expected: Json, actual: Json, path: string, opts: CompareOptions): string | null {
  const mark = opts.lenientMatches?.length ?? 0;
  const err = compareJson(expected, actual, path, opts);
  if (err !== null) opts.lenientMatches?.splice(mark);
  return err;
}

function matchTemplate(expected: string, actual: string, opts: CompareOptions): boolean {
  if (expected.includes('<div') && actual.includes('<div')) return true;
  if (expected === '$$') return true;
  const m = /^\$(instant|date|uuid|id|url|token|semver)\$$/.exec(expected);
  if (m) return REGEX[m[1]!]!.test(actual);
  if (expected === '$string$') return actual.length > 0 && actual.trim() === actual;
  if (expected.startsWith('$choice:') && expected.endsWith('$')) {
    return expected.slice(8, -1).split('|').includes(actual);
  }
  if (expected.startsWith('$fragments:') && expected.endsWith('$')) {
    const low = actual.toLowerCase();
    return expected.slice(11, -1).split('|').every((f) => low.includes(f.toLowerCase()));
  }
  if (expected.startsWith('$external:') && expected.endsWith('$')) {
    // The Java runner splits the token on ':' so a URL fragment degrades to 'http' (RUNNING.md §5.2).
    const parts = expected.slice(1, -1).split(':');
    const n = parts[1] ?? '';
    if (opts.externals && opts.externals[n] !== undefined) return actual === opts.externals[n];
    if (parts.length < 3) return true;
    const low = actual.toLowerCase();
    return parts[2]!.split('|').every((f) => low.includes(f.toLowerCase()));
  }
  if (expected.includes('$version$')) return expected.split('$version$').join(opts.fhirVersion) === actual;
  return expected === actual;
}

/** Compares any JSON values; returns the first difference, or null when they match. */
export function compareJson(expected: Json, actual: Json, path: string, opts: CompareOptions, countOnly = false): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array`;
    if (countOnly) return expected.length === actual.length ? null : `${path}: expected ${expected.length} items, got ${actual.length}`;
    return opts.pattern ? compareArrayPattern(expected, actual, path, opts) : compareArray(expected, actual, path, opts);
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    return compareObject(expected, actual, path, opts);
  }
  return comparePrimitive(expected, actual, path, opts);
}

function compareObject(expected: Record<string, Json>, actual: Record<string, Json>, path: string, opts: CompareOptions): string | null {
  const optionalProps = new Set(Array.isArray(expected['$optional-properties$']) ? (expected['$optional-properties$'] as string[]) : []);
  const countArrays = new Set(Array.isArray(expected['$count-arrays$']) ? (expected['$count-arrays$'] as string[]) : []);
  if (!opts.pattern) {
    for (const key of Object.keys(actual)) {
      if (key === 'fhir_comments') continue;
      if (!(key in expected) && !optionalProps.has(key)) return `${path}.${key}: unexpected property`;
    }
  }
  for (const key of Object.keys(expected)) {
    if (key.startsWith('$') && key.endsWith('$')) continue;
    if (key === 'fhir_comments') continue;
    const e = expected[key];
    if (!(key in actual)) {
      if (optionalProps.has(key) || optionalProps.has('*')) continue;
      if (Array.isArray(e) && e.every((x) => !isObject(x) || isOptionalElement(x, opts))) continue;
      return `${path}.${key}: missing property`;
    }
    const err = compareJson(e, actual[key], `${path}.${key}`, opts, countArrays.has(key));
    if (err) return err;
  }
  return null;
}

function compareArray(expected: Json[], actual: Json[], path: string, opts: CompareOptions): string | null {
  const optional = expected.map((e) => isOptionalElement(e, opts));
  const required = optional.filter((o) => !o).length;
  if (actual.length > expected.length) return `${path}: array has ${actual.length} items, expected at most ${expected.length}`;
  if (actual.length < required) return `${path}: array has ${actual.length} items, expected at least ${required}`;
  let c = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = c < actual.length ? attempt(expected[i], actual[c], `${path}[${c}]`, opts) : `${path}[${c}]: missing item`;
    if (err === null) c++;
    else if (!optional[i]) return err;
  }
  if (c < actual.length) return `${path}[${c}]: Unexpected Node found in array`;
  return null;
}

function compareArrayPattern(expected: Json[], actual: Json[], path: string, opts: CompareOptions): string | null {
  let c = 0;
  for (let i = 0; i < expected.length; i++) {
    let found = false;
    while (c < actual.length) {
      const err = attempt(expected[i], actual[c], `${path}[${c}]`, opts);
      c++;
      if (err === null) {
        found = true;
        break;
      }
    }
    if (!found && !isOptionalElement(expected[i], opts)) return `${path}: no match for expected item ${i} ${JSON.stringify(expected[i]).slice(0, 200)}`;
  }
  return null;
}
