/**
 * Name forms of standard items (§6.2): the published `* CT颅脑(平扫)` and the variants people type.
 */

const FULL_TO_HALF: Record<string, string> = { '（': '(', '）': ')', '［': '[', '］': ']', '＋': '+', '，': ',' };
const HALF_TO_FULL: Record<string, string> = { '(': '（', ')': '）' };

/** Comparison key: no spaces, half-width brackets and plus, no leading `*`. */
export function normaliseName(name: string): string {
  return stripStar(name.replace(/[\s\u3000]+/g, '').replace(/[（）［］＋，]/g, (c) => FULL_TO_HALF[c] ?? c));
}

/** Drops the leading standard marker `*` (and the space after it). */
export function stripStar(name: string): string {
  return name.replace(/^\*\s*/, '');
}

export function toFullWidthParens(name: string): string {
  return name.replace(/[()]/g, (c) => HALF_TO_FULL[c] ?? c);
}

/** Half-width brackets for dictionary names written with full-width ones (e.g. `颅脑［外伤］`). */
export function toHalfWidth(name: string): string {
  return name.replace(/[（）［］＋，]/g, (c) => FULL_TO_HALF[c] ?? c);
}

/**
 * The variants users type for a published name, excluding the name itself:
 * without the space after `*`, without `*`, and with full-width parentheses.
 */
export function typedVariants(display: string): string[] {
  const noSpace = display.replace(/[\s\u3000]+/g, '');
  const bare = stripStar(noSpace);
  const out = [noSpace, bare, toFullWidthParens(bare), toHalfWidth(bare)];
  return [...new Set(out)].filter((v) => v !== display && v.length > 0);
}
