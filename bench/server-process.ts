import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const START_TIMEOUT_MS = 120_000;

/** A server under test, in its own process so its memory and start-up are its own. */
export interface ServerProcess {
  pid: number;
  baseUrl: string;
  /** Spawn → first 200 from /healthz. */
  startMs: number;
  /** Current resident memory (VmRSS). */
  rssMb(): number;
  /** Peak resident memory so far (VmHWM). */
  peakRssMb(): number;
  /** CPU time used so far by all its threads (user + system). */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** One line of /proc/<pid>/status in MiB; Linux only, as is the machine the figures are for. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1];
  if (kb === undefined) throw new Error(`no ${field} for process ${pid}`);
  return Number(kb) / 1024;
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** utime + stime from /proc/<pid>/stat (fields 14 and 15, counted after the parenthesised command name). */
function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs `node --import tsx <entry>` (after any extra Node options) with the given environment and waits
 * for /healthz to answer 200. The child's output is kept and shown only if it fails to start, so a
 * broken start is explained.
 */
export async function startServer(entry: string, port: number, env: Record<string, string>, nodeOptions: string[] = []): Promise<ServerProcess> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', entry], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${entry}`);

  while (!(await healthy(`${baseUrl}/healthz`))) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode} before answering:\n${output}`);
    if (performance.now() - started > START_TIMEOUT_MS) {
      await stopped(child);
      throw new Error(`${entry} did not answer /healthz within ${START_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await sleep(10);
  }
  const startMs = performance.now() - started;
  return {
    pid,
    baseUrl,
    startMs,
    rssMb: () => statusMb(pid, 'VmRSS'),
    peakRssMb: () => statusMb(pid, 'VmHWM'),
    cpuMs: () => cpuMsOf(pid),
    stop: () => stopped(child),
  };
}
