// Plain JS run by Jest before and after all tests; it uses the build npm test makes first.
import fs from 'node:fs/promises';
import { TEST_DATA_DIR } from '../../dist/test/support/test-cluster.js';

/** @returns {Promise<void>} */
export default async function globalTeardown() {
  const cluster = globalThis.__rostersyncCluster;
  if (!cluster) return;
  await cluster.stop();
  const dataDir = process.env[TEST_DATA_DIR];
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  if (!cluster.clusterRoot.startsWith(dataDir ?? '\0')) await fs.rm(cluster.clusterRoot, { recursive: true, force: true });
}
