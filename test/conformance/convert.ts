/**
 * The R5 ⇄ R4 conversions the Java runner's R4 client applies (HAPI VersionConvertor_40_50),
 * limited to what changes the meaning of the terminology tests (RUNNING.md §6).
 */
type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

const XV = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-';
const R4_FILTER_OPS = new Set(['=', 'is-a', 'descendent-of', 'is-not-a', 'regex', 'in', 'not-in', 'generalizes', 'exists']);

function convertVersionAlgorithm(res: Obj): void {
  for (const key of Object.keys(res)) {
    if (!key.startsWith('versionAlgorithm')) continue;
    const value = res[key];
    delete res[key];
    const ext: Obj = { url: `${XV}CanonicalResource.versionAlgorithm` };
    if (key === 'versionAlgorithmString') ext.valueString = value;
    else ext.valueCoding = value;
    res.extension = [...((res.extension as Obj[] | undefined) ?? []), ext];
  }
}

function convertValueSet(vs: Obj): void {
  const compose = vs.compose;
  if (!isObject(compose)) return;
  for (const key of ['include', 'exclude']) {
    const list = compose[key];
    if (!Array.isArray(list)) continue;
    for (const inc of list as Obj[]) {
      if (!Array.isArray(inc.filter)) continue;
      for (const f of inc.filter as Obj[]) {
        if (typeof f.op === 'string' && !R4_FILTER_OPS.has(f.op)) {
          f._op = { extension: [{ url: `${XV}ValueSet.compose.include.filter.op`, valueCode: f.op }] };
          delete f.op;
        }
      }
    }
  }
}

const RELATIONSHIP_TO_EQUIVALENCE: Record<string, string> = {
  'related-to': 'relatedto',
  equivalent: 'equivalent',
  'source-is-narrower-than-target': 'wider',
  'source-is-broader-than-target': 'narrower',
  'not-related-to': 'unmatched',
};

function convertConceptMap(cm: Obj): void {
  for (const [r5, r4] of [['sourceScope', 'source'], ['targetScope', 'target']] as const) {
    for (const suffix of ['Uri', 'Canonical']) {
      if (cm[r5 + suffix] !== undefined) {
        cm[r4 + suffix] = cm[r5 + suffix];
        delete cm[r5 + suffix];
      }
    }
  }
  if (!Array.isArray(cm.group)) return;
  for (const g of cm.group as Obj[]) {
    for (const el of (g.element as Obj[] | undefined) ?? []) {
      for (const t of (el.target as Obj[] | undefined) ?? []) {
        if (typeof t.relationship === 'string') {
          t.equivalence = RELATIONSHIP_TO_EQUIVALENCE[t.relationship] ?? 'relatedto';
          delete t.relationship;
        }
      }
      if (el.noMap === true) {
        el.target = [{ equivalence: 'unmatched' }];
        delete el.noMap;
      }
    }
  }
}

/** Converts one R5 terminology resource to its R4 form. */
export function resourceR5toR4(input: Obj): Obj {
  const res = clone(input);
  convertVersionAlgorithm(res);
  if (res.resourceType === 'ValueSet') convertValueSet(res);
  if (res.resourceType === 'ConceptMap') convertConceptMap(res);
  return res;
}

/** Converts a request Parameters: every embedded resource goes R5 → R4. */
export function parametersR5toR4(params: Obj): Obj {
  const out = clone(params);
  const walk = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const p of list as Obj[]) {
      if (isObject(p.resource)) p.resource = resourceR5toR4(p.resource);
      walk(p.part);
    }
  };
  walk(out.parameter);
  return out;
}

function extensionValue(ext: Obj): [string, unknown] | undefined {
  for (const [k, v] of Object.entries(ext)) if (k.startsWith('value')) return [k, v];
  return undefined;
}

function takeExtensions(owner: Obj, url: string): Obj[] {
  if (!Array.isArray(owner.extension)) return [];
  const all = owner.extension as Obj[];
  const hit = all.filter((e) => e.url === url);
  const rest = all.filter((e) => e.url !== url);
  if (rest.length === 0) delete owner.extension;
  else owner.extension = rest;
  return hit;
}

function subValue(ext: Obj, name: string): [string, unknown] | undefined {
  const sub = ((ext.extension as Obj[] | undefined) ?? []).find((e) => e.url === name);
  return sub ? extensionValue(sub) : undefined;
}

function convertContains(list: Obj[]): void {
  for (const c of list) {
    delete c.property; // an R4 parser does not know contains.property
    const props = takeExtensions(c, `${XV}ValueSet.expansion.contains.property`).map((e) => {
      const code = subValue(e, 'code');
      const value = subValue(e, 'value');
      const prop: Obj = { code: code?.[1] };
      if (value) prop[value[0]] = value[1];
      return prop;
    });
    if (props.length > 0) c.property = props;
    if (Array.isArray(c.contains)) convertContains(c.contains as Obj[]);
  }
}

/** Converts an R4 ValueSet response to R5: expansion property extensions become native elements. */
function valueSetR4toR5(vs: Obj): void {
  const exp = vs.expansion;
  if (!isObject(exp)) return;
  delete exp.property;
  const props = takeExtensions(exp, `${XV}ValueSet.expansion.property`).map((e) => {
    const prop: Obj = {};
    const code = subValue(e, 'code');
    const uri = subValue(e, 'uri');
    if (code) prop.code = code[1];
    if (uri) prop.uri = uri[1];
    return prop;
  });
  if (props.length > 0) exp.property = props;
  if (Array.isArray(exp.contains)) convertContains(exp.contains as Obj[]);
}

/** Converts an R4 response resource to R5 (in place) for comparison. */
export function responseR4toR5(res: Obj): Obj {
  if (res.resourceType === 'ValueSet') valueSetR4toR5(res);
  if (res.resourceType === 'Parameters') {
    const walk = (list: unknown): void => {
      if (!Array.isArray(list)) return;
      for (const p of list as Obj[]) {
        if (isObject(p.resource)) responseR4toR5(p.resource);
        walk(p.part);
      }
    };
    walk(res.parameter);
  }
  return res;
}
