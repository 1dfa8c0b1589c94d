/**
 * Deterministic messy exam names for the matching benchmarks: standard item names from
 * standard-tables/items-v3.8.2.tsv, rewritten the way hospital systems write them (observed in
 * /work/shared/matching/dev-set.tsv: modality moved, brackets changed, slice counts and billing tags
 * added, '*' dropped). A seeded PRNG keeps every run's input identical.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './processes.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function standardNames(): string[] {
  const lines = readFileSync(join(REPO, 'standard-tables/items-v3.8.2.tsv'), 'utf8').split('\n').filter(Boolean);
  const header = lines[0]!.split('\t');
  const col = header.indexOf('name');
  return lines.slice(1).map((l) => l.split('\t')[col]!).filter(Boolean);
}

const PREFIXES = ['', '', '', '64排', '16排', '急诊', '门诊', '1.5T ', '3.0T '];
const SUFFIXES = ['', '', '', '(医保)', ';', ' ', '（自费）', '-加急'];

function messUp(name: string, rand: () => number): string {
  let s = name.replace(/^\*\s*/, '');
  const r = rand();
  if (r < 0.25) s = s.replace(/\(/g, '（').replace(/\)/g, '）');
  else if (r < 0.45) {
    // "CT颅脑(平扫)" → "颅脑平扫(CT)"
    const m = /^(CT|MR|DR|MRI|DX|CR)(.*?)\((.*)\)$/.exec(s);
    if (m) s = `${m[2]}${m[3]}(${m[1]})`;
  } else if (r < 0.6) s = s.replace(/[()]/g, '');
  const pre = PREFIXES[Math.floor(rand() * PREFIXES.length)]!;
  const suf = SUFFIXES[Math.floor(rand() * SUFFIXES.length)]!;
  return `${pre}${s}${suf}`;
}

/** `count` names, cycling through the standard with seeded variations. */
export function messyNames(count: number, seed = 20231201): string[] {
  const base = standardNames();
  const rand = mulberry32(seed);
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = messUp(base[i % base.length]!, rand);
  return out;
}
