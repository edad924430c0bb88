// The real server in local mode spawns the real sidecar; the recording goes through the server's proxy
// and lands in its catalog.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { TestContext } from 'node:test';
import type { RecordingStatus } from '../../core/recording.ts';
import { buildHotProgram, finished, samplesOf, startProcess, workDir } from './sidecar-harness.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Children of a process, from /proc (the server's local sidecar). */
async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

/**
 * `server/main.ts --local` on a free loopback port. Stopped by PID with SIGTERM (which stops its sidecar);
 * the sidecar's PID is noted too, and killed if it outlives the server.
 */
async function startLocalServer(t: TestContext): Promise<string> {
  const dataDir = await workDir(t, 'server-data');
  const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}server/main.ts`, '--local'], {
    cwd: ROOT,
    env: { ...process.env, FURNACE_PORT: '0', FURNACE_DATA_DIR: dataDir, FURNACE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sidecars: number[] = [];
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    for (const pid of sidecars) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(() => undefined);
  // The sidecar inherits the server's stdout, so the end of the server is watched by its exit, not by EOF.
  const listening = new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
  });
  const url = await Promise.race([listening, exited]);
  if (url === undefined) throw new Error(`the server did not start:\n${output}`);
  sidecars.push(...(await childPids(child.pid ?? 0)));
  return url;
}

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

describe('sidecar with the real server in local mode', () => {
  it('records through the proxy and uploads every artifact to the catalog', async (t) => {
    const base = await startLocalServer(t);
    const pod = hostname();
    for (;;) {
      const { body } = await json<{ items: { namespace: string; pod: string }[] }>(`${base}/api/v1/sidecars`);
      if (body.items.some((item) => item.namespace === 'local' && item.pod === pod)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const dir = await workDir(t, 'with-server');
    const program = await buildHotProgram(dir);
    const target = startProcess(t, program, ['120']);
    const proxy = `${base}/proxy/local/${pod}`;
    const started = await json<RecordingStatus>(`${proxy}/recordings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pid: target.pid, durationSeconds: 3, frequency: 299 }),
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const { id } = started.body;

    let status: RecordingStatus;
    for (;;) {
      const polled = await json<RecordingStatus>(`${proxy}/recordings/${id}`);
      assert.equal(polled.status, 200, JSON.stringify(polled.body));
      status = polled.body;
      if (finished(status)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(status.state, 'done', status.error);
    assert.equal(status.warnings, undefined, JSON.stringify(status.warnings));

    const entry = await json<{
      namespace: string;
      pod: string;
      artifacts: { name: string; bytes: number }[];
    }>(`${base}/api/v1/recordings/${id}`);
    assert.equal(entry.status, 200);
    assert.equal(entry.body.namespace, 'local');
    assert.equal(entry.body.pod, pod);
    assert.deepEqual(entry.body.artifacts.map((a) => a.name).sort(), [
      'flamegraph.html',
      'flamegraph.svg',
      'perf.data',
      'perf.script',
      'speedscope.json',
      'stacks.folded',
    ]);
    const folded = await (await fetch(`${base}/api/v1/recordings/${id}/artifacts/stacks.folded`)).text();
    assert.ok(samplesOf(folded, 'furnace_light') > 0 && samplesOf(folded, 'furnace_heavy') > 0, folded);
  });
});
