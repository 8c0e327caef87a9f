// Copies browser libraries from node_modules into static/vendor, so pages never load code from a CDN.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const vendored = [['node_modules/htmx.org/dist/htmx.min.js', 'static/vendor/htmx.min.js']];

for (const [from, to] of vendored) {
  fs.mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
  fs.copyFileSync(path.join(root, from), path.join(root, to));
}
