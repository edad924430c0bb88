// Helpers for server process tests: free ports, the server and sidecar as real processes, and a
// compiled C program with two hot functions to record.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const HOSTNAME = hostname();

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

export async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** SIGTERM and wait for the exit. */
  stop: () => Promise<number | null>;
}

/** Compiles core, server, sidecar and cli to dist/ as `npm run build` does; throws with tsc's output. */
export function buildDist(): void {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
}

/** Starts `node [nodeArgs] args` in the project root; TypeScript sources run through tsx by default. */
export function startProcess(
  t: TestContext,
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = ['--import', 'tsx'],
): RunningProcess {
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  });
  return { child, output: () => output, exited, stop };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

export async function getJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const HOT_PROGRAM = `
#include <stdlib.h>
#include <time.h>
volatile double sink;
__attribute__((noinline)) void furnace_hot_alpha(long n) { double x = 0; for (long i = 0; i < n; i++) x += i * 0.5; sink = x; }
__attribute__((noinline)) void furnace_hot_beta(long n) { double x = 1; for (long i = 0; i < n; i++) x *= 1.0000001; sink = x; }
int main(int argc, char **argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 60;
  long beta = argc > 2 ? atol(argv[2]) : 1;
  time_t end = time(NULL) + seconds;
  while (time(NULL) < end) { furnace_hot_alpha(2000000); furnace_hot_beta(2000000 * beta); }
  return 0;
}
`;

/**
 * Compiles the two-hot-function program under a unique name and runs it; returns its name. Beta runs
 * `betaWeight` times as many iterations as alpha (the two loops cost about the same per iteration).
 */
export async function runHotProgram(
  t: TestContext,
  dir: string,
  seconds = 120,
  betaWeight = 1,
): Promise<string> {
  const name = `furnace_hot_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  await writeFile(join(dir, 'hot.c'), HOT_PROGRAM);
  await promisify(execFile)('gcc', [
    '-O1',
    '-g',
    '-fno-omit-frame-pointer',
    '-o',
    join(dir, name),
    join(dir, 'hot.c'),
  ]);
  const child = spawn(join(dir, name), [String(seconds), String(betaWeight)], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return name;
}

export interface RecordingView {
  id: string;
  state: string;
  error?: string;
  artifacts: { name: string; bytes: number }[];
}

/** Starts a recording through the proxy, waits for the catalog to hold both artifacts, returns the entry. */
export async function recordThroughProxy(
  baseUrl: string,
  pod: string,
  processPattern: string,
): Promise<RecordingView> {
  const started = await getJson<{ id: string }>(`${baseUrl}/proxy/local/${pod}/recordings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ processPattern, durationSeconds: 3, frequency: 199 }),
  });
  if (started.status < 200 || started.status > 299)
    throw new Error(`start answered ${started.status}: ${JSON.stringify(started.body)}`);
  const id = started.body.id;
  await waitFor('the recording to finish on the sidecar', async () => {
    const status = await getJson<{ state: string; error?: string }>(
      `${baseUrl}/proxy/local/${pod}/recordings/${id}`,
    );
    if (status.body.state === 'failed') throw new Error(`recording failed: ${status.body.error}`);
    return status.body.state === 'done' ? true : undefined;
  });
  return waitFor('the catalog to hold the artifacts', async () => {
    const entry = await getJson<RecordingView>(`${baseUrl}/api/v1/recordings/${id}`);
    const names = entry.status === 200 ? entry.body.artifacts.map((a) => a.name) : [];
    return names.includes('flamegraph.svg') && names.includes('stacks.folded') ? entry.body : undefined;
  });
}
