/**
 * Case documents on disk: DATA_DIR/documents, outside anything the web server serves, each file under
 * a random name with no extension, readable by the application's user only. Nothing the uploader
 * sends (name, type) takes part in where or how a file is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SNIFF_BYTES } from './file-type.js';

const STORED_NAME = /^[0-9a-f]{32}$/;

export function documentsDirectory(dataDir: string): string {
  return path.join(dataDir, 'documents');
}

/** The path of a stored file; anything but a name this module made is refused, so no path can escape. */
export function storedPath(dataDir: string, storedName: string): string {
  if (!STORED_NAME.test(storedName)) throw new Error('Not a stored document name');
  return path.join(documentsDirectory(dataDir), storedName);
}

export interface StoredUpload {
  storedName: string;
  size: number;
  sha256: string;
  /** The first bytes, for sniffing the type. */
  head: Buffer;
}

/**
 * Streams an upload to a new random file (mode 0600, never overwriting), hashing it on the way, so a
 * large file is never held in memory. The caller checks what was written and removes it if refused.
 */
export async function storeUpload(dataDir: string, upload: Readable): Promise<StoredUpload> {
  const directory = documentsDirectory(dataDir);
  await fs.promises.mkdir(directory, { recursive: true, mode: 0o700 });
  const storedName = randomBytes(16).toString('hex');
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      done(null, chunk);
    },
  });
  const target = storedPath(dataDir, storedName);
  try {
    // Flushed to disk (file and directory entry) before the row that points at it can commit, so a
    // power cut never leaves a committed document pointing at a truncated or missing file.
    await pipeline(upload, measure, fs.createWriteStream(target, { flags: 'wx', mode: 0o600, flush: true }));
    await syncDirectory(directory);
  } catch (error) {
    await removeStored(dataDir, storedName);
    throw error;
  }
  return { storedName, size, sha256: hash.digest('hex'), head };
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.promises.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function removeStored(dataDir: string, storedName: string): Promise<void> {
  await fs.promises.rm(storedPath(dataDir, storedName), { force: true });
}
