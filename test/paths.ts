import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_TMP_DIR = fileURLToPath(new URL('../.test-tmp', import.meta.url));
export const TEMPLATE_DB = path.join(TEST_TMP_DIR, 'template.db');
