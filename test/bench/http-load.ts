// Closed-loop HTTP load for the benchmarks: N keep-alive connections, each sending the next request
// when the previous answer has been read, for a fixed time; latencies of every request and the CPU
// time of the processes behind the port.
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpuMs, schedStat, type SchedStat } from '../harness/process-usage.ts';
import { percentile } from '../harness/stats.ts';

export function call(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

export async function waitHttp(port: number, path: string): Promise<void> {
  const agent = new Agent();
  for (let i = 0; i < 200; i++) {
    try {
      if ((await call(agent, port, 'GET', path)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answered on port ${port}`);
}

/** What to load: a port and path, the headers to send, and the processes whose CPU time to count. */
export interface LoadTarget {
  port: number;
  path: string;
  headers: Record<string, string>;
  /** Groups of processes (each group's CPU time is summed), e.g. [[sidecar], [nginx master, worker]]. */
  watched: () => Promise<number[][]>;
  /** A process whose main thread's scheduling (time on a CPU, times woken, time waiting for a CPU) is read too. */
  scheduled?: () => Promise<number>;
}

/** One timed run against one target. */
export interface LoadRun {
  seconds: number;
  /** Latency of every request, ms, in the order they finished. */
  latencies: number[];
  errors: number;
  /** CPU time each watched group used during the run, ms. */
  cpuMs: number[];
  /** What the scheduler did with `scheduled`'s main thread during the run. */
  sched?: MainThreadSched;
}

/** schedstat of a main thread, and its context switches: voluntary (it slept) and involuntary (preempted). */
export interface MainThreadSched extends SchedStat {
  voluntary: number;
  involuntary: number;
}

async function mainThreadSched(pid: number): Promise<MainThreadSched> {
  const status = await readFile(`/proc/${pid}/task/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return {
    ...(await schedStat(pid)),
    voluntary: field('voluntary_ctxt_switches'),
    involuntary: field('nonvoluntary_ctxt_switches'),
  };
}

function schedBetween(before: MainThreadSched, after: MainThreadSched): MainThreadSched {
  return {
    runNs: after.runNs - before.runNs,
    waitNs: after.waitNs - before.waitNs,
    slices: after.slices - before.slices,
    voluntary: after.voluntary - before.voluntary,
    involuntary: after.involuntary - before.involuntary,
  };
}

async function groupCpuMs(groups: number[][]): Promise<number[]> {
  return Promise.all(
    groups.map(async (pids) => (await Promise.all(pids.map(cpuMs))).reduce((a, b) => a + b, 0)),
  );
}

export async function runLoad(target: LoadTarget, concurrency: number, seconds: number): Promise<LoadRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const groups = await target.watched();
  const schedPid = await target.scheduled?.();
  const schedBefore = schedPid === undefined ? undefined : await mainThreadSched(schedPid);
  const cpuBefore = await groupCpuMs(groups);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const start = performance.now();
      const response = await call(agent, target.port, 'GET', target.path, target.headers).catch(() => ({
        status: 0,
        text: '',
      }));
      if (response.status !== 200) errors += 1;
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = await groupCpuMs(groups);
  const schedAfter = schedPid === undefined ? undefined : await mainThreadSched(schedPid);
  agent.destroy();
  return {
    seconds: elapsed,
    latencies,
    errors,
    cpuMs: cpuAfter.map((after, i) => after - (cpuBefore[i] ?? 0)),
    ...(schedBefore && schedAfter
      ? {
          sched: schedBetween(schedBefore, schedAfter),
        }
      : {}),
  };
}

/** Several runs against one target taken together. */
export interface LoadSummary {
  rps: number;
  /** Requests per second of each run, in order. */
  roundsRps: number[];
  p50: number;
  p99: number;
  errors: number;
  /** CPU time of each watched group per request, µs. */
  cpuPerRequestUs: number[];
  /**
   * Per request, of the `scheduled` process's main thread: µs on a CPU, times given a CPU, µs runnable but
   * waiting, and its context switches: it slept (voluntary) or was preempted (involuntary).
   */
  schedPerRequest?: { runUs: number; slices: number; waitUs: number; voluntary: number; involuntary: number };
}

function schedPerRequest(runs: readonly LoadRun[], requests: number): LoadSummary['schedPerRequest'] {
  const scheds = runs.flatMap((run) => (run.sched ? [run.sched] : []));
  if (scheds.length === 0 || requests === 0) return undefined;
  const sum = (field: keyof MainThreadSched): number => scheds.reduce((total, s) => total + s[field], 0);
  return {
    runUs: sum('runNs') / 1000 / requests,
    slices: sum('slices') / requests,
    waitUs: sum('waitNs') / 1000 / requests,
    voluntary: sum('voluntary') / requests,
    involuntary: sum('involuntary') / requests,
  };
}

export function summarize(runs: readonly LoadRun[]): LoadSummary {
  const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  const groups = Math.max(0, ...runs.map((run) => run.cpuMs.length));
  const cpuPerRequestUs = Array.from(
    { length: groups },
    (_, i) =>
      (runs.reduce((sum, run) => sum + (run.cpuMs[i] ?? 0), 0) * 1000) / Math.max(1, latencies.length),
  );
  return {
    rps: latencies.length / Math.max(seconds, 1e-9),
    roundsRps: runs.map((run) => run.latencies.length / run.seconds),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    cpuPerRequestUs,
    ...(runs.some((run) => run.sched) ? { schedPerRequest: schedPerRequest(runs, latencies.length) } : {}),
  };
}
