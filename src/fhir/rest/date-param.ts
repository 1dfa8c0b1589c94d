/**
 * FHIR date search parameters with prefixes (R4 search §3.1.1.4.2 and §3.1.1.5.6): a value has an
 * implicit range from its precision (`2024` is the whole year), compared with a point in time.
 */
import { InvalidRequestError } from '../../errors.js';

export type DatePrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';
const PREFIXES = new Set<DatePrefix>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

export interface DateRange {
  /** Inclusive start, ms since epoch. */
  start: number;
  /** Exclusive end, ms since epoch. */
  end: number;
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** Parses a FHIR date/dateTime/instant into the range it denotes (no zone → UTC). */
export function parseDateRange(value: string, param: string): DateRange {
  const m = DATE_RE.exec(value);
  if (!m) throw new InvalidRequestError(`Invalid date '${value}' for ${param}`, { expression: [param] });
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  if (mo === undefined) return { start: Date.UTC(year, 0, 1), end: Date.UTC(year + 1, 0, 1) };
  const month = Number(mo) - 1;
  if (month < 0 || month > 11) throw new InvalidRequestError(`Invalid month in '${value}' for ${param}`, { expression: [param] });
  if (d === undefined) return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
  const day = Number(d);
  if (h === undefined) {
    const start = Date.UTC(year, month, day);
    return { start, end: start + 86_400_000 };
  }
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${zone ?? 'Z'}`;
  const start = Date.parse(iso);
  if (Number.isNaN(start)) throw new InvalidRequestError(`Invalid date '${value}' for ${param}`, { expression: [param] });
  const width = frac ? 10 ** (3 - Math.min(3, frac.length - 1)) : s !== undefined ? 1000 : 60_000;
  return { start, end: start + width };
}

export interface DateCondition {
  prefix: DatePrefix;
  range: DateRange;
}

export function parseDateCondition(raw: string, param: string): DateCondition {
  const maybe = raw.slice(0, 2) as DatePrefix;
  const prefix = PREFIXES.has(maybe) && /^[a-z]{2}\d/.test(raw) ? maybe : 'eq';
  const value = prefix === 'eq' && !raw.startsWith('eq') ? raw : raw.slice(2);
  return { prefix, range: parseDateRange(value, param) };
}

/** Does the instant `at` (ms) satisfy the condition? */
export function matchesDate(at: number, { prefix, range }: DateCondition): boolean {
  switch (prefix) {
    case 'eq': return at >= range.start && at < range.end;
    case 'ne': return at < range.start || at >= range.end;
    case 'gt': case 'sa': return at >= range.end;
    case 'lt': case 'eb': return at < range.start;
    case 'ge': return at >= range.start;
    case 'le': return at < range.end;
    case 'ap': {
      // "approximately": 10% of the distance to now, at least a day (R4 §3.1.1.4.2 leaves it to the server).
      const slack = Math.max(86_400_000, Math.abs(Date.now() - range.start) * 0.1);
      return at >= range.start - slack && at < range.end + slack;
    }
  }
}

/** The earliest and latest instants (ISO) that can satisfy all conditions, for pushing down to a store. */
export function boundsOf(conditions: DateCondition[]): { from?: string; to?: string } {
  let from = -Infinity;
  let to = Infinity;
  for (const { prefix, range } of conditions) {
    if (prefix === 'eq') { from = Math.max(from, range.start); to = Math.min(to, range.end - 1); }
    if (prefix === 'ge') from = Math.max(from, range.start);
    if (prefix === 'gt' || prefix === 'sa') from = Math.max(from, range.end);
    if (prefix === 'le') to = Math.min(to, range.end - 1);
    if (prefix === 'lt' || prefix === 'eb') to = Math.min(to, range.start - 1);
  }
  return {
    ...(Number.isFinite(from) ? { from: new Date(from).toISOString() } : {}),
    ...(Number.isFinite(to) ? { to: new Date(to).toISOString() } : {}),
  };
}
