/**
 * Shared by the real-client tests: our server in a child process on an ephemeral loopback port,
 * the ConceptMap element to translate (read from our content), and Parameters helpers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { READY_PATH } from '../../bench/lib/operations.js';
import { startTerminologyServer, type RunningServer } from '../../bench/lib/processes.js';

export { findConceptMapHit, EXAM_ITEM_SYSTEM, EXAM_ITEM_VALUESET, SAMPLE_CODE, SAMPLE_DISPLAY, FREE_TEXT, EXPAND_FILTER } from '../../bench/lib/operations.js';

/** Well-formed (device 20, body part 010100) but not an item of the standard. */
export const UNKNOWN_CODE = '20010100990000';
/** A display of another item: wrong for SAMPLE_CODE. */
export const WRONG_DISPLAY = 'CT胸部(增强)';
/** * CT胸部(平扫): in the 胸部 filter's expansion, and the dev-set answer for FREE_TEXT. */
export const CHEST_CT_PLAIN = '20040100110000';

export interface ServerUnderTest {
  server: RunningServer;
  /** http://127.0.0.1:PORT/fhir */
  base: string;
  close(): Promise<void>;
}

/** Starts src/main.ts under tsx (the same entry `npm start` runs once built) on a free port. */
export async function startServerUnderTest(): Promise<ServerUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'rimag-clients-'));
  const server = await startTerminologyServer({
    mode: 'tsx',
    readyPath: READY_PATH,
    dataDir: join(dir, 'data'),
    logFile: join(dir, 'server.log'),
    env: { LOG_LEVEL: 'warn' },
  });
  return {
    server,
    base: `${server.origin}/fhir`,
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function param(params: Parameters, name: string): ParametersParameter | undefined {
  return params.parameter?.find((p) => p.name === name);
}

export function params(params: Parameters, name: string): ParametersParameter[] {
  return params.parameter?.filter((p) => p.name === name) ?? [];
}

export function part(p: ParametersParameter | undefined, name: string): ParametersParameter | undefined {
  return p?.part?.find((x) => x.name === name);
}
