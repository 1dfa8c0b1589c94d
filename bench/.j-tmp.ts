import { createStore } from '../src/store/index.js';
import { mkdtempSync } from 'node:fs';
const store = await createStore({ dataDir: mkdtempSync('/tmp/jt-') });
const j = store.journal;
const m = { route: 'r', sender: 's', controlId: 'x', messageType: 'ORM^O01', inbound: Buffer.alloc(400), state: 'queued' as const };
const lat: number[] = [];
const t0 = performance.now();
for (let i = 0; i < 500; i++) { const t = performance.now(); await Promise.all(Array.from({ length: 8 }, (_, k) => j.append([{ ...m, controlId: `b${i}-${k}` }]))); lat.push(performance.now() - t); }
const total = performance.now() - t0;
lat.sort((a, b) => a - b);
console.log('8-append round ms p10/p50/p90', lat[50].toFixed(2), lat[250].toFixed(2), lat[450].toFixed(2), 'msg/s', Math.round(4000 / total * 1000));
await store.close();
