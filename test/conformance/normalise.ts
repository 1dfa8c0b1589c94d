/**
 * Scrub and sort a response the way the Java runner does before comparing
 * (TxTesterScrubbers / TxTesterSorters, see ../shared/tx-ecosystem/RUNNING.md §4).
 */
type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Extensions the runner keeps when scrubbing with tight=false (RUNNING.md §4.1), matched by last URL segment. */
const MANAGED_EXTENSION_NAMES = new Set([
  'codesystem-alternate', 'codesystem-conceptOrder', 'codesystem-label', 'coding-sctdescid', 'structuredefinition-standards-status',
  'itemWeight', 'rendering-style', 'rendering-xhtml', 'translation',
  'valueset-concept-definition', 'valueset-conceptOrder', 'valueset-deprecated', 'valueset-label', 'valueset-supplement',
  'alternate-code-use', 'alternate-code-status', 'operationoutcome-message-id', 'valueset-unclosed', 'valueset-unclosed-reason',
  'unknown-extension-4', 'unknown-extension-5', 'unknown-extension-6',
]);

function isManaged(url: string): boolean {
  if (!/^[a-z]+:/.test(url)) return true; // relative (sub-extension) URLs are never scrubbed
  const name = url.slice(url.lastIndexOf('/') + 1);
  return MANAGED_EXTENSION_NAMES.has(name);
}

function scrubExtensions(node: unknown, underCompose: boolean): void {
  if (Array.isArray(node)) {
    for (const x of node) scrubExtensions(x, underCompose);
    return;
  }
  if (!isObject(node)) return;
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (!underCompose && (key === 'extension' || key === 'modifierExtension') && Array.isArray(value)) {
      const kept = value.filter((e) => !isObject(e) || typeof e.url !== 'string' || isManaged(e.url));
      if (kept.length === 0) delete node[key];
      else node[key] = kept;
    }
    const nextUnder = underCompose || (key === 'compose' && node.resourceType === 'ValueSet');
    scrubExtensions(node[key], nextUnder);
  }
}

function scrubResource(res: Obj): void {
  delete res.text;
  delete res.meta;
  if (Array.isArray(res.contained)) for (const c of res.contained) if (isObject(c)) scrubResource(c);
  if (res.resourceType === 'Parameters' && Array.isArray(res.parameter)) {
    res.parameter = res.parameter.filter((p) => !(isObject(p) && p.name === 'diagnostics'));
    scrubParameterList(res.parameter as unknown[]);
  }
  if (res.resourceType === 'OperationOutcome' && Array.isArray(res.issue)) {
    res.issue = res.issue.filter((i) => !(isObject(i) && i.diagnostics !== undefined && i.details === undefined));
    for (const i of res.issue as Obj[]) {
      // Blanked, not removed (TxTesterScrubbers): a template like "$external:2$" still needs the property.
      if (typeof i.diagnostics === 'string' && !i.diagnostics.toLowerCase().includes('x-request-id')) i.diagnostics = '';
    }
    if ((res.issue as unknown[]).length === 0) delete res.issue;
  }
}

function scrubParameterList(list: unknown[]): void {
  for (const p of list) {
    if (!isObject(p)) continue;
    if (isObject(p.resource)) scrubResource(p.resource);
    if (Array.isArray(p.part)) scrubParameterList(p.part);
  }
}

/** Scrubs a response resource in place. */
export function scrub(res: Obj): void {
  scrubResource(res);
  scrubExtensions(res, false);
}

function primitiveValue(p: Obj): string {
  for (const [k, v] of Object.entries(p)) {
    if (k.startsWith('value') && (typeof v !== 'object' || v === null)) return String(v);
  }
  return '';
}

function partValue(p: Obj, name: string): string {
  const parts = Array.isArray(p.part) ? (p.part as Obj[]) : [];
  const part = parts.find((x) => isObject(x) && x.name === name);
  if (!part) return '';
  const v = primitiveValue(part);
  if (v) return v;
  for (const [k, val] of Object.entries(part)) if (k.startsWith('value') && isObject(val)) return String(val.code ?? '');
  return '';
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareParameters(a: Obj, b: Obj): number {
  const byName = cmp(String(a.name ?? ''), String(b.name ?? ''));
  if (byName !== 0) return byName;
  if (a.name === 'property') {
    return cmp(partValue(a, 'code').toLowerCase(), partValue(b, 'code').toLowerCase()) || cmp(partValue(a, 'value').toLowerCase(), partValue(b, 'value').toLowerCase());
  }
  if (a.name === 'designation') {
    return cmp(partValue(a, 'language'), partValue(b, 'language')) || cmp(partValue(a, 'value'), partValue(b, 'value'));
  }
  return 0;
}


function compareIssues(a: Obj, b: Obj): number {
  // Severity and code compare as text: the expected files put information before warning.
  const sev = cmp(String(a.severity), String(b.severity));
  if (sev !== 0) return sev;
  const code = cmp(String(a.code), String(b.code));
  if (code !== 0) return code;
  const ea = Array.isArray(a.expression) ? String(a.expression[0] ?? '') : '';
  const eb = Array.isArray(b.expression) ? String(b.expression[0] ?? '') : '';
  const byExpr = cmp(ea, eb);
  if (byExpr !== 0) return byExpr;
  const ta = isObject(a.details) ? String(a.details.text ?? '') : '';
  const tb = isObject(b.details) ? String(b.details.text ?? '') : '';
  return cmp(ta, tb);
}

function sortParameterList(list: Obj[]): void {
  list.sort(compareParameters);
  for (const p of list) {
    if (Array.isArray(p.part)) sortParameterList(p.part as Obj[]);
    if (isObject(p.resource)) sortNested(p.resource);
    if (p.name === 'message' && typeof p.valueString === 'string') {
      p.valueString = p.valueString.split('; ').sort().join('; ');
    }
  }
}

function sortNested(res: Obj): void {
  if (res.resourceType === 'Parameters' && Array.isArray(res.parameter)) sortParameterList(res.parameter as Obj[]);
  else if (res.resourceType === 'OperationOutcome' && Array.isArray(res.issue)) (res.issue as Obj[]).sort(compareIssues);
  else if (res.resourceType === 'ValueSet') sortValueSet(res);
}

const byUrl = (a: Obj, b: Obj): number => cmp(String(a.url ?? ''), String(b.url ?? ''));

function sortContains(list: Obj[]): void {
  list.sort((a, b) => cmp(String(a.code ?? ''), String(b.code ?? '')));
  for (const c of list) {
    if (Array.isArray(c.extension)) (c.extension as Obj[]).sort(byUrl);
    if (Array.isArray(c.designation)) {
      (c.designation as Obj[]).sort((a, b) =>
        a.language !== undefined && b.language !== undefined ? cmp(String(a.language), String(b.language)) : cmp(String(a.value ?? ''), String(b.value ?? '')),
      );
    }
    if (Array.isArray(c.property)) (c.property as Obj[]).sort((a, b) => cmp(String(a.code ?? ''), String(b.code ?? '')));
    if (Array.isArray(c.contains)) sortContains(c.contains as Obj[]);
  }
}

function sortValueSet(vs: Obj): void {
  if (Array.isArray(vs.extension)) (vs.extension as Obj[]).sort(byUrl);
  const exp = vs.expansion;
  if (!isObject(exp)) return;
  if (Array.isArray(exp.parameter)) {
    (exp.parameter as Obj[]).sort((a, b) => cmp(String(a.name ?? ''), String(b.name ?? '')) || cmp(primitiveValue(a), primitiveValue(b)));
  }
  if (Array.isArray(exp.property)) (exp.property as Obj[]).sort((a, b) => cmp(String(a.uri ?? ''), String(b.uri ?? '')) || cmp(String(a.code ?? ''), String(b.code ?? '')));
  if (Array.isArray(exp.extension)) (exp.extension as Obj[]).sort(byUrl);
  if (Array.isArray(exp.contains)) sortContains(exp.contains as Obj[]);
}

/** Sorts a successful response in place (top-level error OperationOutcomes are left alone). */
export function sortResponse(res: Obj): void {
  if (res.resourceType === 'OperationOutcome') return;
  sortNested(res);
}
