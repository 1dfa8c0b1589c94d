/**
 * HL7 v2 escape sequences (v2.5 §2.7). Delimiters come from MSH-1/MSH-2, never from constants.
 * Only the five delimiter escapes are decoded; everything else (`\Xhh\`, `\H\`, `\Cxxyy\`, `\.br\` …)
 * is kept verbatim so that nothing is lost when a value is read and written back (NOTES.md §4).
 */
export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

export const DEFAULT_DELIMITERS: Delimiters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

/** Reads the delimiters from the start of an MSH segment (`MSH|^~\&`). */
export function delimitersOf(msh: string): Delimiters {
  const enc = msh.slice(4, 8);
  return {
    field: msh[3] ?? '|',
    component: enc[0] ?? '^',
    repetition: enc[1] ?? '~',
    escape: enc[2] ?? '\\',
    subcomponent: enc[3] ?? '&',
  };
}

/** Escapes a value for writing: the escape character first, then the other delimiters. */
export function escapeValue(value: string, d: Delimiters = DEFAULT_DELIMITERS): string {
  let out = '';
  for (const ch of value) {
    if (ch === d.escape) out += `${d.escape}E${d.escape}`;
    else if (ch === d.field) out += `${d.escape}F${d.escape}`;
    else if (ch === d.component) out += `${d.escape}S${d.escape}`;
    else if (ch === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (ch === d.repetition) out += `${d.escape}R${d.escape}`;
    else if (ch === '\r' || ch === '\n') out += ' '; // a segment terminator inside a value would split the segment
    else out += ch;
  }
  return out;
}

/** Decodes the delimiter escapes of a raw value; other escape sequences are left as they are. */
export function unescapeValue(raw: string, d: Delimiters = DEFAULT_DELIMITERS): string {
  if (!raw.includes(d.escape)) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i];
    if (ch === d.escape) {
      const close = raw.indexOf(d.escape, i + 1);
      if (close > i) {
        const seq = raw.slice(i + 1, close);
        const mapped = seq === 'F' ? d.field : seq === 'S' ? d.component : seq === 'T' ? d.subcomponent : seq === 'R' ? d.repetition : seq === 'E' ? d.escape : undefined;
        if (mapped !== undefined) {
          out += mapped;
          i = close + 1;
          continue;
        }
        out += raw.slice(i, close + 1);
        i = close + 1;
        continue;
      }
    }
    out += ch;
    i += 1;
  }
  return out;
}
