/**
 * Worker threads that run one of our TypeScript modules. The app runs its TypeScript through tsx,
 * whose loader a worker does not inherit, so the worker registers it before importing the module.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** tsx's ESM loader API, by the path its package exports it under (resolved here: a worker has no module context). */
function tsxLoaderUrl(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require('tsx/package.json') as { exports: Record<string, { import?: { default?: string } }> };
  const target = exports['./esm/api']?.import?.default;
  if (!target) throw new Error('tsx does not export its ESM loader API');
  return pathToFileURL(path.join(path.dirname(manifest), target)).href;
}

/** Starts `entry` (a module's URL, e.g. `new URL('./worker.ts', import.meta.url)`) in a new thread. */
export function startTypeScriptWorker(entry: URL, workerData: unknown): Worker {
  const bootstrap = `import(${JSON.stringify(tsxLoaderUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
