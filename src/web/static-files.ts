import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { PUBLIC } from './types.js';

const STATIC_DIR = fileURLToPath(new URL('../../static', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

/**
 * One explicit public route per file, read into memory at boot: the set is small, nothing outside
 * static/ can be reached, and each route declares its permission like every other route.
 */
export default async function staticFiles(app: FastifyInstance): Promise<void> {
  for (const file of listFiles(STATIC_DIR)) {
    const type = CONTENT_TYPES[path.extname(file)];
    if (!type) continue;
    const body = fs.readFileSync(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    const url = `/static/${path.relative(STATIC_DIR, file).split(path.sep).join('/')}`;
    app.get(url, { config: { permission: PUBLIC } }, async (request, reply) => {
      reply.header('etag', etag).header('cache-control', 'public, max-age=0, must-revalidate');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type(type).send(body);
    });
  }
}
