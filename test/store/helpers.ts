import type { CodeSystem, ValueSet } from 'fhir/r4';

export function codeSystem(id: string, title: string): CodeSystem & { id: string } {
  return { resourceType: 'CodeSystem', id, url: `urn:test:${id}`, status: 'active', content: 'complete', title };
}

/** Polls `condition` until true; fails after `timeoutMs` (a guard against hanging, not a speed check). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function valueSet(id: string): ValueSet & { id: string } {
  return { resourceType: 'ValueSet', id, status: 'active' };
}
