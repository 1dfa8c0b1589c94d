/**
 * `npm run hl7 -- <command>`: operator CLI for the HL7 gateway (docs/hl7.md).
 *
 *   stats                                   counters and queue depth
 *   list [--state S] [--route R] [--from T] [--to T] [--limit N]
 *   show ID [--body]                        one message (--body: decoded inbound/outbound text)
 *   replay ID | replay --route R [--from T] [--to T]     re-queue delivered/dead messages
 *   release ID | release [--route R]        release held messages
 *   unmapped [--sender S] [--route R]       unmapped local codes, most frequent first
 *
 * Talks to the running server's admin API (--url, default $HL7_ADMIN_URL or
 * http://127.0.0.1:$PORT/fhir/admin/hl7; --token, default $ADMIN_TOKEN). With --data-dir DIR it works
 * on the embedded store directly instead (server stopped or not): stats (journal counts), list, show,
 * replay and release (as stored, without re-running the rewrite); a running gateway picks re-queued
 * messages up within its poll interval.
 */
import { parseArgs } from 'node:util';
import type { JournalEntry, JournalState } from '../src/store/store.js';
import { chooseCharset, decode } from '../src/hl7/charset.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    'data-dir': { type: 'string' },
    state: { type: 'string' },
    route: { type: 'string' },
    sender: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    limit: { type: 'string' },
    body: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

const [command, arg] = positionals;
const USAGE = 'usage: npm run hl7 -- stats|list|show ID|replay [ID]|release [ID]|unmapped [--url U --token T | --data-dir DIR] [--state --route --sender --from --to --limit --body]';

async function overHttp(): Promise<unknown> {
  const base = (values.url ?? process.env.HL7_ADMIN_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}/fhir/admin/hl7`).replace(/\/$/, '');
  const token = values.token ?? process.env.ADMIN_TOKEN;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const query = new URLSearchParams();
  for (const k of ['state', 'route', 'sender', 'from', 'to', 'limit'] as const) if (values[k]) query.set(k, values[k]!);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }).catch((err: Error & { cause?: Error }) => {
      throw new Error(`cannot reach ${base}: ${err.cause?.message ?? err.message} (set --url or HL7_ADMIN_URL)`);
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as unknown;
  };
  switch (command) {
    case 'stats':
      return call('GET', '/stats');
    case 'list':
      return call('GET', `/messages?${query}`);
    case 'show':
      return call('GET', `/messages/${need(arg)}${values.body ? '?body=true' : ''}`);
    case 'replay':
      return arg ? call('POST', `/messages/${arg}/replay`) : call('POST', '/replay', { route: values.route, from: values.from, to: values.to });
    case 'release':
      return arg ? call('POST', `/messages/${arg}/release`) : call('POST', '/release', { route: values.route });
    case 'unmapped':
      return call('GET', `/unmapped?${query}`);
    default:
      throw new Error(USAGE);
  }
}

async function onStore(dataDir: string): Promise<unknown> {
  const { createStore } = await import('../src/store/index.js');
  const store = await createStore({ dataDir });
  const j = store.journal;
  const strip = (e: JournalEntry) => ({ ...e, inbound: undefined, outbound: undefined });
  const text = (b?: Buffer) => (b ? decode(b, chooseCharset(b).charset) : undefined);
  try {
    switch (command) {
      case 'stats':
        return await j.counts();
      case 'list':
        return (await j.list({ route: values.route, state: values.state as JournalState | undefined, from: values.from, to: values.to, limit: values.limit ? Number(values.limit) : 100 })).map(strip);
      case 'show': {
        const e = await j.get(Number(need(arg)));
        if (!e) throw new Error(`no message ${arg}`);
        return values.body ? { ...strip(e), inbound: text(e.inbound), outbound: text(e.outbound) } : strip(e);
      }
      case 'replay':
      case 'release': {
        const want: JournalState[] = command === 'replay' ? ['delivered', 'dead'] : ['held'];
        const entries: JournalEntry[] = arg ? [await j.get(Number(arg))].filter((e): e is JournalEntry => !!e) : await j.list({ route: values.route, from: values.from, to: values.to, limit: 100_000 });
        const ids: number[] = [];
        for (const e of entries) {
          if (!e || !want.includes(e.state)) continue;
          await j.setState(e.id, 'queued', { note: `${e.note ? `${e.note}\n` : ''}${command} via CLI ${new Date().toISOString()}` });
          ids.push(e.id);
        }
        await store.audit.append({ actor: 'cli', action: `hl7.${command}`, entity: `hl7:${arg ?? values.route ?? '*'}`, outcome: 'success', detail: JSON.stringify(ids).slice(0, 500) });
        return { [command === 'replay' ? 'replayed' : 'released']: ids };
      }
      default:
        throw new Error(command === 'unmapped' ? 'unmapped needs the running server (the list is built by the gateway)' : USAGE);
    }
  } finally {
    await store.close();
  }
}

function need(v: string | undefined): string {
  if (!v) throw new Error(USAGE);
  return v;
}

if (values.help || !command) {
  console.log(USAGE);
  process.exit(command ? 0 : 2);
}
try {
  const result = values['data-dir'] ? await onStore(values['data-dir']) : await overHttp();
  console.log(JSON.stringify(result, null, 2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
