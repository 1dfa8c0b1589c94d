/**
 * npm run audit:verify — checks the audit trail's hash chain in the configured store
 * (DATA_DIR / MONGODB_URI / CONFIG_FILE, as the server reads them) and reports the first broken link.
 *
 * Exit codes: 0 chain intact, 1 chain broken, 2 store missing or unreachable / bad configuration.
 * `--json` prints the result object instead of a sentence.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createStore } from '../src/store/index.js';
import { DB_FILE_NAME } from '../src/store/sqlite/db.js';
import type { Store } from '../src/store/store.js';

async function main(): Promise<number> {
  const json = process.argv.includes('--json');
  const config = loadConfig();
  const { store: storeConfig } = config;
  const dataDir = resolve(storeConfig.dataDir);
  if (!storeConfig.mongodbUri && !existsSync(join(dataDir, DB_FILE_NAME))) {
    console.error(`audit:verify: no embedded store at ${join(dataDir, DB_FILE_NAME)} (set DATA_DIR or MONGODB_URI)`);
    return 2;
  }
  let store: Store;
  try {
    store = await createStore({ dataDir, mongodbDatabase: storeConfig.mongodbDatabase, ...(storeConfig.mongodbUri && { mongodbUri: storeConfig.mongodbUri }) });
  } catch (err) {
    console.error(`audit:verify: cannot open the store: ${(err as Error).message}`);
    return 2;
  }
  try {
    const result = await store.audit.verify();
    const [first] = await store.audit.list({ order: 'asc', limit: 1 });
    if (json) {
      console.log(JSON.stringify({ store: store.kind, algorithm: first?.algorithm, ...result }));
    } else if (result.ok) {
      console.log(`audit chain intact: ${result.checked} records verified (${store.kind}${first?.algorithm ? `, ${first.algorithm}` : ''})`);
    } else {
      console.log(`audit chain BROKEN at record seq ${result.firstBroken}: ${result.reason} (${result.checked} records verified before it)`);
    }
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`audit:verify: ${(err as Error).message}`);
    process.exit(2);
  },
);
