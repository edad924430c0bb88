// Which processes a recording samples. Pure: the process table comes in, a decision or a FurnaceError goes out.
import { runInNewContext } from 'node:vm';
import { FurnaceError } from '../../core/contract/errors.ts';
import { SIDECAR_CONTAINER_NAME } from '../../core/contract/names.ts';
import type { ProcessSelection } from '../../core/contract/processes.ts';
import type { SidecarMode } from '../config.ts';
import { isRequestEcho, startedAfterRequest, ECHO_WINDOW_MS } from './request-echo.ts';

export interface ProcessInfo {
  /** PID as the sidecar sees it (and as perf records it). */
  pid: number;
  ppid: number;
  comm: string;
  /** Arguments joined by spaces, as `pgrep -f` matches them; empty for kernel threads. */
  cmdline: string;
  /** PID inside the process's own (innermost) PID namespace. */
  nspid: number;
  /** Pod UID and container name from the kubelet's termination-log mount, when there is one. */
  podUid?: string;
  container?: string;
  /** When it started, ms since the epoch, from /proc/PID/stat (undefined when unknown). */
  startedAtMs?: number;
}

export interface SelectionContext {
  mode: SidecarMode;
  podUid?: string;
  selfPid: number;
  /** True when the sidecar runs in a PID namespace of its own (a pod sharing its process namespace). */
  nestedPidNamespace: boolean;
  /** When the start request arrived, ms since the epoch: later processes, and its own client, are left out. */
  requestedAtMs?: number;
}

export type SelectionRequest = ProcessSelection;

const KUBELET_CONTAINER_DIR = /\/pods\/([^/]+)\/containers\/([^/]+)\/[^/]+$/;

function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * Finds the pod UID and container name in /proc/PID/mountinfo text: every container of a pod gets the
 * kubelet's termination-log bind mount, whose root is `…/pods/<uid>/containers/<name>/<n>`.
 */
export function parseMountinfoContainer(text: string): { podUid: string; container: string } | undefined {
  let found: { podUid: string; container: string } | undefined;
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined) continue;
    const match = KUBELET_CONTAINER_DIR.exec(unescapeMountField(root));
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const candidate = { podUid: match[1], container: match[2] };
    if (unescapeMountField(mountPoint) === '/dev/termination-log') return candidate;
    found ??= candidate;
  }
  return found;
}

/** Reads `PPid`, `Name` and the innermost `NSpid` from /proc/PID/status text. */
export function parseProcStatus(text: string): { ppid: number; comm: string; nspid?: number } {
  let ppid = 0;
  let comm = '';
  let nspid: number | undefined;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === 'PPid') ppid = Number(value);
    else if (key === 'Name') comm = value;
    else if (key === 'NSpid') nspid = Number(value.split(/\s+/).at(-1));
  }
  return nspid === undefined ? { ppid, comm } : { ppid, comm, nspid };
}

/** The process and everything it started, transitively. */
export function descendantsOf(processes: readonly ProcessInfo[], root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const seen = new Set<number>([root]);
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (!seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  return seen;
}

/** The names a process goes by: its kernel name and its program's file name (argv[0], not cut at 15 characters). */
function namesOf(process: ProcessInfo): string[] {
  const program = process.cmdline.split(' ')[0] ?? '';
  return [process.comm, program.split('/').at(-1) ?? ''].filter((name) => name !== '');
}

/** How long a processPattern may take to test every name and command line of a start request. */
export const PATTERN_TIME_LIMIT_MS = 250;

/** The text `pgrep -f` matches: the full command line (the name for processes without one). */
function commandLineOf(process: ProcessInfo): string {
  return process.cmdline === '' ? process.comm : process.cmdline;
}

// Names first; command lines only when no name matches, of the processes eligible for that. Runs in a
// vm context (see matchProcesses).
const PGREP_SCRIPT = `
  const byName = names.map((list) => list.some((name) => regexp.test(name)));
  byName.includes(true) ? byName : lines.map((line, i) => eligible[i] && regexp.test(line));
`;

/**
 * Like `pgrep`: processes whose name matches; only when none does, those whose full command line matches
 * (`pgrep -f`, for a Java main class or a script's name). Names first keep a client whose arguments happen
 * to hold the pattern (`curl -d '{"processPattern":"app"}'`) out of a recording of `app`.
 *
 * The matching runs in a vm context with a time limit: a pattern that backtracks without end (`(a+)+$`
 * against a long argument) would otherwise hold the sidecar's event loop, health checks included. It is
 * stopped and refused with a 400. The vm's limit is wall-clock time, and a loaded node can leave this
 * thread waiting for a CPU past it; so a test stopped after using less than half the limit in CPU time was
 * not the pattern's doing, and is tried again (up to STARVED_RETRIES times). `byLine` says which processes
 * the command-line fallback may choose (all by default; selectProcesses leaves out the request's own client).
 */
export function matchProcesses(
  processes: readonly ProcessInfo[],
  pattern: string,
  timeoutMs = PATTERN_TIME_LIMIT_MS,
  byLine: (process: ProcessInfo) => boolean = () => true,
): ProcessInfo[] {
  const context = {
    regexp: new RegExp(pattern),
    names: processes.map(namesOf),
    lines: processes.map(commandLineOf),
    eligible: processes.map(byLine),
  };
  for (let attempt = 0; ; attempt++) {
    const cpuBefore = threadCpuMs();
    try {
      const chosen = runInNewContext(PGREP_SCRIPT, { ...context }, { timeout: timeoutMs }) as boolean[];
      return processes.filter((_p, i) => chosen[i] === true);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
      const starved = threadCpuMs() - cpuBefore < timeoutMs / 2;
      if (starved && attempt < STARVED_RETRIES) continue;
      throw new FurnaceError(
        'ERR_INVALID_PARAMETER',
        `processPattern /${pattern}/ took longer than ${timeoutMs} ms to test the names and command lines of ${processes.length} processes; use a simpler pattern`,
        { field: 'processPattern', value: pattern, limit: `${timeoutMs} ms` },
      );
    }
  }
}

/** How many times a pattern test stopped while the thread hardly ran is tried again before it is refused. */
const STARVED_RETRIES = 3;

/** CPU time (user and system) of this thread in ms; the process's where Node lacks threadCpuUsage. */
function threadCpuMs(): number {
  const usage = typeof process.threadCpuUsage === 'function' ? process.threadCpuUsage() : process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function podProcesses(pool: ProcessInfo[], ctx: SelectionContext): { list: ProcessInfo[]; scope: string } {
  const mapped = pool.filter(
    (p) => p.podUid !== undefined && p.podUid === ctx.podUid && p.container !== SIDECAR_CONTAINER_NAME,
  );
  if (mapped.length > 0 || !ctx.nestedPidNamespace) {
    return { list: mapped, scope: `the containers of pod ${ctx.podUid ?? '?'}` };
  }
  // A shared PID namespace without kubelet mounts: the namespace is the pod; /pause is not an app.
  return { list: pool.filter((p) => p.comm !== 'pause'), scope: "the pod's PID namespace" };
}

/** The field a refusal names: the narrowest criterion the request gave. */
function fieldOf(request: SelectionRequest): string | undefined {
  if (request.processPattern !== undefined) return 'processPattern';
  if (request.pid !== undefined) return 'pid';
  return request.container === undefined ? undefined : 'container';
}

function describeSearch(
  request: SelectionRequest,
  scope: string,
  searched: number,
  echoes: readonly ProcessInfo[],
): string {
  const parts: string[] = [];
  if (request.container !== undefined) parts.push(`container ${JSON.stringify(request.container)}`);
  if (request.pid !== undefined) parts.push(`pid ${request.pid}`);
  if (request.processPattern !== undefined) parts.push(`/${request.processPattern}/ (processPattern)`);
  const what = parts.length > 0 ? parts.join(' and ') : 'any process';
  const left = echoes.map((p) => `${p.pid} (${p.comm})`).join(', ');
  const note =
    echoes.length === 0
      ? ''
      : `; left out ${left}: started within ${ECHO_WINDOW_MS / 1000} s of this request with the pattern in its command line, as the request's own client does (give a pid, or retry once the program has run longer)`;
  return `no process matches ${what} in ${scope} (${searched} processes searched${note})`;
}

/** The processes a request searches: the pod's app containers, or (locally) every process, given a pid or pattern. */
function searchScope(
  pool: ProcessInfo[],
  request: SelectionRequest,
  ctx: SelectionContext,
): { list: ProcessInfo[]; scope: string } {
  if (ctx.mode === 'pod') return podProcesses(pool, ctx);
  if (request.pid === undefined && request.processPattern === undefined) {
    throw new FurnaceError(
      'ERR_INVALID_PARAMETER',
      'pid or processPattern is required in local mode: say which processes of this machine to record',
      { field: 'processPattern', allowed: 'pid or processPattern is required in local mode' },
    );
  }
  return { list: pool, scope: 'the processes of this machine' };
}

/**
 * Chooses the processes to record. In a pod: the pod's app containers, narrowed by container, pid and
 * pattern. Locally: this machine's processes, chosen by pid or pattern (one is required). Never chosen:
 * the sidecar and its children, processes that started after the request arrived, and (by command line)
 * the request's own client (request-echo.ts).
 */
export function selectProcesses(
  processes: readonly ProcessInfo[],
  request: SelectionRequest,
  ctx: SelectionContext,
): ProcessInfo[] {
  const own = descendantsOf(processes, ctx.selfPid);
  const pool = processes.filter(
    (p) => !own.has(p.pid) && p.cmdline !== '' && !startedAfterRequest(p, ctx.requestedAtMs),
  );
  const { list, scope } = searchScope(pool, request, ctx);
  let candidates = list;
  if (request.container !== undefined)
    candidates = candidates.filter((p) => p.container === request.container);
  if (request.pid !== undefined) candidates = candidates.filter((p) => p.pid === request.pid);
  const pattern = request.processPattern;
  let echoes: ProcessInfo[] = [];
  if (pattern !== undefined) {
    echoes = candidates.filter((p) => isRequestEcho(p, pattern, ctx.requestedAtMs));
    candidates = matchProcesses(candidates, pattern, PATTERN_TIME_LIMIT_MS, (p) => !echoes.includes(p));
  }
  if (candidates.length > 0) return candidates;
  const leftOut = pattern === undefined ? [] : matchProcesses(echoes, pattern);
  const field = fieldOf(request);
  throw new FurnaceError('ERR_NO_MATCHING_PROCESS', describeSearch(request, scope, list.length, leftOut), {
    ...request,
    ...(field === undefined ? {} : { field }),
    scope,
    searched: list.length,
  });
}
