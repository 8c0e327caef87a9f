/**
 * Worker threads that answer requests (the statistics computer, the reader): the thread starts on
 * first use and does not keep the process alive; each reply settles the request of its id; when the
 * thread dies, every request still waiting fails and the next one starts a new thread.
 */
import type { FastifyBaseLogger } from 'fastify';
import { parentPort, type Transferable, type Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from './typescript-worker.js';

type Reply<R> = { id: number; result: R } | { id: number; error: string };

export interface RequestWorker<Q, R> {
  request(message: Q): Promise<R>;
  /** Stops the thread; a request still waiting is never settled. */
  close(): Promise<void>;
}

/** `failure` names the thread in the log and in the errors its requests fail with. */
export function requestWorker<Q, R>(entry: URL, workerData: unknown, log: FastifyBaseLogger, failure: string): RequestWorker<Q, R> {
  const waiting = new Map<number, { resolve: (result: R) => void; reject: (error: Error) => void }>();
  let worker: Worker | null = null;
  let nextId = 0;

  const start = (): Worker => {
    const started = startTypeScriptWorker(entry, workerData);
    started.unref();
    started.on('message', (reply: Reply<R>) => {
      const job = waiting.get(reply.id);
      waiting.delete(reply.id);
      if ('result' in reply) job?.resolve(reply.result);
      else job?.reject(new Error(`${failure}: ${reply.error}`));
    });
    started.on('error', (error) => {
      log.error({ error: error.name }, `${failure}: the thread stopped`);
      for (const job of waiting.values()) job.reject(error);
      waiting.clear();
      worker = null;
    });
    return started;
  };

  return {
    request(message) {
      worker ??= start();
      const id = (nextId += 1);
      const result = new Promise<R>((resolve, reject) => waiting.set(id, { resolve, reject }));
      worker.postMessage({ id, message });
      return result;
    },
    async close() {
      await worker?.terminate();
      worker = null;
    },
  };
}

/**
 * The worker's side: answers each request with `handle`'s result (its `transfer` buffers moved, not
 * copied), or with the error's name only, since a database error message may quote values.
 */
export function answerRequests<Q, R>(handle: (message: Q) => R, transfer: (result: R) => Transferable[] = () => []): void {
  const port = parentPort;
  if (!port) throw new Error('answerRequests runs in a worker thread');
  port.on('message', ({ id, message }: { id: number; message: Q }) => {
    let reply: Reply<R>;
    let moved: Transferable[] = [];
    try {
      const result = handle(message);
      reply = { id, result };
      moved = transfer(result);
    } catch (error) {
      reply = { id, error: error instanceof Error ? error.name : 'unknown' };
    }
    port.postMessage(reply, moved);
  });
}
