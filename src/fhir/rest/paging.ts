/** `_count` / `_offset` parsing shared by search and history. */
import { InvalidRequestError } from '../../errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

function nonNegativeInt(values: string[] | undefined, name: string): number | undefined {
  if (!values || values.length === 0) return undefined;
  const raw = values[values.length - 1]!;
  if (!/^\d+$/.test(raw)) throw new InvalidRequestError(`Invalid ${name} '${raw}': expected a non-negative integer`, { expression: [name] });
  return Number(raw);
}

export function parseCount(query: Record<string, string[]>): number {
  return Math.min(nonNegativeInt(query._count, '_count') ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}

export function parseOffset(query: Record<string, string[]>): number {
  return nonNegativeInt(query._offset, '_offset') ?? 0;
}

export function parseCursor(query: Record<string, string[]>): number | undefined {
  return nonNegativeInt(query._cursor, '_cursor');
}
