// Scopes a user's bpftrace program to a pod: every probe that fires in the context of a task gets the
// recorder's filter in front of the user's predicate, `/(scope) && (predicate)/`, and the program is
// printed back from its tokens, so the user cannot remove or route around the filter. Pure.
//
// The filter names PID namespaces rather than PIDs: the pod's processes share one PID namespace
// (shareProcessNamespace, as the sidecar needs anyway), new processes are in it too, and bpftrace 0.17's
// `pid` is the host's PID, which a sidecar inside the pod cannot know. Targets in the host's own PID
// namespace (local mode) are scoped by their PIDs instead, which the local recorder does know.
//
// Probes by what they observe:
// - task probes (kprobe, uprobe, tracepoint, usdt, profile, software, hardware, kfunc...): filtered.
// - BEGIN and END run in bpftrace's own process: left as they are.
// - interval fires on a timer in whatever task the CPU runs, so it is not filtered but may only use
//   the clock, the CPU, maps, variables and output (no comm, pid, stacks, casts or kernel reads).
// - iter (walks every task or map in the kernel) and watchpoints are refused, as is anything unknown.
import { FurnaceError } from '../contract/errors.ts';
import { PROGRAM_FIELD, type Token } from './lexer.ts';
import { parseBpftraceProgram, type AttachPoint, type ProbeBlock } from './program.ts';

/** The host's initial PID namespace (PROC_PID_INIT_INO): its processes are scoped by PID. */
export const INIT_PID_NAMESPACE = 4026531836;

export interface BpftraceScope {
  /** PID namespaces (inode numbers of /proc/PID/ns/pid) whose tasks the program may observe. */
  pidNamespaces: readonly number[];
  /** Host PIDs the program may observe (targets in the host's PID namespace). */
  pids: readonly number[];
  /**
   * cgroup v2 IDs: when given, a task must also be in one of these cgroups (the targets' containers), so a
   * pod's other containers, the recorder's own among them, are left out in the kernel as well.
   */
  cgroupIds?: readonly number[];
}

type ProbeClass = 'task' | 'self' | 'timer';

const PATH = String.raw`(?:/[A-Za-z0-9_./*+-]*|[A-Za-z0-9_.+-]+)`;
const SYMBOL = String.raw`(?:[A-Za-z0-9_.*]+|0x[0-9a-fA-F]+)`;
const OFFSET = String.raw`(?:\+(?:0x[0-9a-fA-F]+|[0-9]+))?`;
const EVENT = String.raw`[A-Za-z0-9_*]+`;

const PROBE_KINDS: readonly { names: readonly string[]; args: string; class: ProbeClass }[] = [
  { names: ['kprobe', 'k', 'kretprobe', 'kr'], args: `(?:${EVENT}:)?${SYMBOL}${OFFSET}`, class: 'task' },
  {
    names: ['uprobe', 'u', 'uretprobe', 'ur'],
    args: `${PATH}:(?:[a-z]+:)?${SYMBOL}${OFFSET}`,
    class: 'task',
  },
  { names: ['tracepoint', 't'], args: `${EVENT}:${EVENT}`, class: 'task' },
  { names: ['rawtracepoint', 'rt'], args: EVENT, class: 'task' },
  { names: ['usdt', 'U'], args: `${PATH}(?::${EVENT}){1,2}`, class: 'task' },
  { names: ['profile', 'p'], args: '(?:hz|s|ms|us):[0-9]+', class: 'task' },
  { names: ['software', 's', 'hardware', 'h'], args: '[a-z-]+(?::[0-9]+)?', class: 'task' },
  { names: ['kfunc', 'f', 'kretfunc', 'fr'], args: `(?:${EVENT}:)?${EVENT}`, class: 'task' },
  { names: ['interval', 'i'], args: '(?:hz|s|ms|us):[0-9]+', class: 'timer' },
];

const REFUSED_KINDS: Readonly<Record<string, string>> = {
  iter: 'iter probes walk every task in the kernel, which no filter can scope to a pod',
  it: 'iter probes walk every task in the kernel, which no filter can scope to a pod',
  watchpoint: 'watchpoints are not supported',
  w: 'watchpoints are not supported',
  asyncwatchpoint: 'watchpoints are not supported',
  aw: 'watchpoints are not supported',
};

/** Calls refused outright: they act outside the program (--unsafe ones) or read the recorder's files. */
const REFUSED_CALLS: Readonly<Record<string, string>> = {
  system: 'system() runs commands and is not allowed',
  signal: 'signal() sends signals and is not allowed',
  override: 'override() changes kernel return values and is not allowed',
  cat: "cat() reads the recorder's files and is not allowed",
};

/** All an interval probe may name: it runs in whatever task the CPU happens to be running. */
const TIMER_IDENTIFIERS = new Set(
  'if else unroll while nsecs elapsed cpu rand printf print clear zero exit time strftime delete count sum min max avg hist lhist stats'.split(
    ' ',
  ),
);

function refuse(message: string, details: Record<string, unknown> = {}): FurnaceError {
  return new FurnaceError('ERR_INVALID_PARAMETER', `${PROGRAM_FIELD} is refused: ${message}`, {
    field: PROGRAM_FIELD,
    ...details,
  });
}

/** What an attach point observes; refuses kinds that cannot be scoped and text this parser does not know. */
export function classifyAttachPoint(point: AttachPoint): ProbeClass {
  const { text } = point;
  if (text === 'BEGIN' || text === 'END') return 'self';
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const refused = REFUSED_KINDS[kind];
  if (refused !== undefined) throw refuse(`${text}: ${refused}`, { probe: text });
  const known = PROBE_KINDS.find((k) => k.names.includes(kind));
  const args = text.slice(colon + 1);
  const shaped = known !== undefined && colon > 0 && new RegExp(`^(?:${known.args})$`).test(args);
  if (!shaped || /\/\/|\/\*|\/$/.test(args)) {
    throw refuse(
      `probe ${JSON.stringify(text)} is not understood (known: BEGIN, END, ${PROBE_KINDS.map((k) => k.names[0]).join(', ')})`,
      {
        probe: text,
      },
    );
  }
  return known.class;
}

/** A division the printed program would read as the end of a predicate. */
function checkDivision(token: Token, after: Token | undefined): void {
  if (token.kind === 'op' && token.text === '/' && after !== undefined && /^[/{]/.test(after.text))
    throw refuse('a / followed by / or { is not understood (put the division in parentheses)');
}

/** `struct NAME` followed by `*` or `)`: bpftrace reads anything else after `struct` as raw C. */
function checkTypeName(tokens: readonly Token[], i: number): void {
  const keyword = tokens[i]?.text ?? '';
  const name = tokens[i + 1]?.kind === 'ident' ? tokens[i + 2]?.text : undefined;
  if (name !== '*' && name !== ')')
    throw refuse(`${keyword} may only name a type in a cast, as in (${keyword} task_struct *)`);
}

function checkIdentifier(tokens: readonly Token[], i: number, timer: boolean): void {
  const token = tokens[i];
  if (token?.kind !== 'ident') return;
  const before = tokens[i - 1]?.text;
  const after = tokens[i + 1];
  const refused = REFUSED_CALLS[token.text];
  if (refused !== undefined && before !== '.' && before !== '->' && after?.text === '(')
    throw refuse(refused);
  if (/^(struct|union|enum)$/.test(token.text)) checkTypeName(tokens, i);
  if (timer && !TIMER_IDENTIFIERS.has(token.text))
    throw refuse(
      `interval probes may not use ${token.text}: they run in whatever process the CPU is running, outside the pod (allowed: ${[...TIMER_IDENTIFIERS].join(', ')})`,
    );
}

function checkTokens(tokens: readonly Token[], timer: boolean): void {
  tokens.forEach((token, i) => {
    checkDivision(token, tokens[i + 1]);
    checkIdentifier(tokens, i, timer);
  });
}

function checkNumbers(what: string, values: readonly number[]): void {
  for (const value of values)
    if (!Number.isSafeInteger(value) || value < 1)
      throw new Error(`${what} ${value} is not a positive integer`);
}

/** The recorder's filter as a bpftrace expression: the scope's PID namespaces and PIDs, within its cgroups. */
export function scopeFilter(scope: BpftraceScope): string {
  checkNumbers('PID namespace', scope.pidNamespaces);
  checkNumbers('PID', scope.pids);
  const terms = [
    ...[...new Set(scope.pidNamespaces)].map(
      (ns) => `curtask->nsproxy->pid_ns_for_children->ns.inum == ${ns}`,
    ),
    ...[...new Set(scope.pids)].map((pid) => `pid == ${pid}`),
  ];
  if (terms.length === 0) throw new Error('a bpftrace scope needs a PID namespace or a PID');
  const cgroups = [...new Set(scope.cgroupIds ?? [])];
  checkNumbers('cgroup ID', cgroups);
  if (cgroups.length === 0) return terms.join(' || ');
  return `( ${terms.join(' || ')} ) && ( ${cgroups.map((id) => `cgroup == ${id}`).join(' || ')} )`;
}

function printProbe(probe: ProbeBlock, filter: string): string {
  const classes = probe.attachPoints.map(classifyAttachPoint);
  const scoped = classes.includes('task');
  const timer = !scoped && classes.includes('timer');
  checkTokens(probe.predicate ?? [], timer);
  checkTokens(probe.body, timer);
  const user = probe.predicate?.map((t) => t.text).join(' ');
  let predicate = '';
  if (scoped) predicate = user === undefined ? `/ ( ${filter} ) / ` : `/ ( ${filter} ) && ( ${user} ) / `;
  else if (user !== undefined) predicate = `/ ${user} / `;
  const body = probe.body.map((t) => t.text).join(' ');
  return `${probe.attachPoints.map((p) => p.text).join(',')} ${predicate}{ ${body} }\n`;
}

/**
 * The program bpftrace runs: the user's probes printed back from their tokens, each task probe behind
 * the scope filter. Throws ERR_INVALID_PARAMETER (field bpftrace.program) for anything it cannot scope.
 */
export function scopeBpftraceProgram(source: string, scope: BpftraceScope): string {
  const filter = scopeFilter(scope);
  const { probes } = parseBpftraceProgram(source, classifyAttachPoint);
  return probes.map((probe) => printProbe(probe, filter)).join('');
}

/** Checks a program without a scope: what the server and the sidecar route refuse before anything runs. */
export function checkBpftraceProgram(source: string): void {
  scopeBpftraceProgram(source, { pidNamespaces: [INIT_PID_NAMESPACE], pids: [] });
}
