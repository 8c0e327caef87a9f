import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Enough of a child's output to explain a failure, without holding a long run's logs in memory. */
const OUTPUT_TAIL_CHARS = 8_000;
const HEALTH_POLL_MS = 100;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Every child still running: whatever happens to the run (failure, timeout, Ctrl-C), none is left behind. */
const running = new Set<ChildProcess>();

/** SIGKILLs every child this module started that is still running. Safe to call more than once. */
export function killStrayProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

// A synchronous last resort: 'exit' handlers cannot wait, and SIGKILL needs no waiting.
process.once('exit', killStrayProcesses);

interface Child {
  process: ChildProcess;
  exited: Promise<ExitStatus>;
  output(): string;
}

function startChild(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<ExitStatus>((resolve, reject) => {
    child.once('error', (error) => {
      running.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return { process: child, exited, output: () => output };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A leftover server on our port would answer the health check in place of the one we start. */
function portIsTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface AppServer {
  baseUrl: string;
  pid: number;
  /** Has the process ended on its own (it never should)? */
  hasExited(): boolean;
  /** SIGKILL, now: no shutdown handler runs, nothing is flushed. */
  killHard(): void;
  exited: Promise<ExitStatus>;
  output(): string;
}

export interface StartOptions {
  dataDir: string;
  port: number;
  readyTimeoutMs: number;
}

const HOST = '127.0.0.1';

/** Starts `node --import tsx src/server.ts` exactly as an operator would, and waits until /healthz answers. */
export async function startAppServer({ dataDir, port, readyTimeoutMs }: StartOptions): Promise<AppServer> {
  if (await portIsTaken(HOST, port)) throw new Error(`port ${port} is already in use; is an earlier run still alive?`);
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    HOST,
    PORT: String(port),
    DATA_DIR: dataDir,
    // PUBLIC_URL is left to default; production would sit behind TLS, the API key works over loopback HTTP.
    LOG_LEVEL: 'warn',
  };
  const child = startChild(['--import', 'tsx', 'src/server.ts'], env);
  let exited = false;
  void child.exited.then(
    () => (exited = true),
    () => (exited = true),
  );
  const baseUrl = `http://${HOST}:${port}`;
  const server: AppServer = {
    baseUrl,
    pid: child.process.pid ?? -1,
    hasExited: () => exited,
    killHard: () => void child.process.kill('SIGKILL'),
    exited: child.exited,
    output: child.output,
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the app exited during start-up:\n${child.output()}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return server;
    } catch {
      // Not listening yet.
    }
    await sleep(HEALTH_POLL_MS);
  }
  server.killHard();
  await child.exited.catch(() => undefined);
  throw new Error(`the app did not answer /healthz within ${readyTimeoutMs} ms:\n${child.output()}`);
}

export interface CliResult extends ExitStatus {
  output: string;
}

/** Runs the real `bvte` CLI (bin/bvte.js) as a child process; killed if it overruns the timeout. */
export async function runBvte(args: string[], timeoutMs: number): Promise<CliResult> {
  const child = startChild(['bin/bvte.js', ...args], { ...process.env });
  const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
  try {
    const status = await child.exited;
    return { ...status, output: child.output() };
  } finally {
    clearTimeout(timer);
  }
}
