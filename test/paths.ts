import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_ROOT = fileURLToPath(new URL('../.test-tmp', import.meta.url));

/**
 * Each test run works in its own directory (named by the global setup and inherited by the workers
 * through the environment), so two runs on one machine never delete each other's databases.
 */
export const TEST_TMP_DIR = process.env.BVTE_TEST_RUN_DIR ?? path.join(TEST_ROOT, 'adhoc');
export const TEMPLATE_DB = path.join(TEST_TMP_DIR, 'template.db');
