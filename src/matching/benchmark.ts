/**
 * Speed measurement of the engine (for `npm run bench`; no timing assertions in tests).
 * `syntheticNames` makes realistic variants of real names (noise tags, width/bracket variants,
 * device hints, local-code prefixes, laterality) with a seeded generator, so runs are repeatable.
 */
import type { ExamNameMatcher } from './types.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s ^= s + Math.imul(s ^ (s >>> 7), 61 | s);
    return ((s ^ (s >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = ['(医保)', '(不出片)', '(团单)', '(加急)', '川渝HR', '陕HR', '[体检]', '（不含胶片）', '', '', '', ''];
const PREFIX = ['', '', '', '[其他]', '[胸部]', '116;', 'CT检查项目', '64排', '16排以上螺旋', '3.0T'];

export function syntheticNames(seeds: string[], count: number, seed = 42): string[] {
  const rand = rng(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)] as T;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let n = pick(seeds);
    const r = rand();
    if (r < 0.3) n = n.replace(/\(/g, '（').replace(/\)/g, '）');
    else if (r < 0.4) n = n.replace(/CT/g, 'ＣＴ');
    if (rand() < 0.3) n = n.replace(/^左/, '右').replace(/^右/, '左');
    n = pick(PREFIX) + n + pick(NOISE);
    if (rand() < 0.1) n = n + ' ';
    out.push(n);
  }
  return out;
}

export interface SpeedResult {
  names: number;
  wallMs: number;
  cpuMs: number;
  /** Names per CPU-second of this thread's process (robust to other load on the machine). */
  namesPerCpuSecond: number;
  namesPerWallSecond: number;
}

export function measureSpeed(matcher: ExamNameMatcher, names: string[], warmup = 2000): SpeedResult {
  for (let i = 0; i < Math.min(warmup, names.length); i++) matcher.match(names[i] as string);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const n of names) matcher.match(n);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { names: names.length, wallMs, cpuMs, namesPerCpuSecond: Math.round(names.length / (cpuMs / 1000)), namesPerWallSecond: Math.round(names.length / (wallMs / 1000)) };
}
