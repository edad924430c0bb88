// The parameters of `POST /recordings`: one field table from which both the JSON schema (documentation,
// CRDs, clients) and the validator (server proxy, sidecar route) are made, so they cannot drift apart.
import { checkBpftraceProgram } from '../bpftrace/scope.ts';
import { MAX_SINKS_PER_RECORDING, SINK_NAME_PATTERN } from '../sinks/sink.ts';
import { FurnaceError } from './errors.ts';
import { DEFAULT_LIMITS, MAX_START_AHEAD_SECONDS, type RecordingLimits } from './limits.ts';
import { checkTable, invalid, tableSchema, type Field, type FieldTable } from './param-fields.ts';
import { PROFILE_TYPES, resolveProfile, type ProfileType } from './profile-types.ts';
import { PPROF_KINDS, type PprofKind } from './pprof-kinds.ts';

export const EVENTS = ['cpu-clock', 'task-clock', 'cycles', 'instructions', 'cpu-cycles'] as const;
/**
 * How perf walks the stacks: `fp` (frame pointers), `dwarf` (a copy of the stack with each sample, unwound
 * afterwards), or `auto` (dwarf when the targets' main binaries lack frame pointers, fp otherwise).
 */
export const CALL_GRAPHS = ['auto', 'fp', 'dwarf'] as const;
export type CallGraph = (typeof CALL_GRAPHS)[number];
/** The call graph a recording actually walked (auto resolved); what statuses and the catalog carry. */
export const CALL_GRAPHS_RUN = ['fp', 'dwarf'] as const;
export type CallGraphRun = (typeof CALL_GRAPHS_RUN)[number];
export const SYMBOL_SOURCES = ['proc', 'image'] as const;
export type SymbolSource = (typeof SYMBOL_SOURCES)[number];
/** Who records: perf (sampling), pprof (the target's own Go profile endpoint), bpftrace, node (a Node.js
 * target's own CPU profiler, through its inspector), or auto (pprof when the target answers on its pprof
 * port, node for a Node.js target, perf otherwise). */
export const PROFILERS = ['perf', 'pprof', 'bpftrace', 'auto', 'node'] as const;
export type ProfilerChoice = (typeof PROFILERS)[number];
/**
 * The profiler a recording actually ran with (auto resolved); what statuses and the catalog carry. `sched` is
 * Furnace's own scheduler recorder (a fixed bpftrace program), which records profiles offcpu and wall.
 */
export const PROFILERS_RUN = ['perf', 'pprof', 'bpftrace', 'sched', 'node'] as const;
export type ProfilerName = (typeof PROFILERS_RUN)[number];

export { PPROF_KINDS, type PprofKind } from './pprof-kinds.ts';
export const PPROF_SCHEMES = ['http', 'https'] as const;
/**
 * net/http/pprof's paths: `profile` samples CPU for the duration, `heap` and `goroutine` are snapshots, and
 * `allocs`, `mutex` and `block` are counted over the duration (PPROF_TIMED_KINDS).
 */
export const PPROF_DEFAULT_PATHS: Readonly<Record<PprofKind, string>> = {
  profile: '/debug/pprof/profile',
  heap: '/debug/pprof/heap',
  goroutine: '/debug/pprof/goroutine',
  allocs: '/debug/pprof/allocs',
  mutex: '/debug/pprof/mutex',
  block: '/debug/pprof/block',
};
/**
 * Kinds asked with `?seconds=<duration>`: a CPU profile of that long, and for allocs, mutex and block the
 * difference between two of Go's cumulative profiles that far apart (net/http/pprof's delta profile), so the
 * graph shows what happened during the recording, not since the program started.
 */
export const PPROF_TIMED_KINDS: readonly PprofKind[] = ['profile', 'allocs', 'mutex', 'block'];
export const PPROF_DEFAULTS = { port: 6060, kind: 'profile' } as const;
/**
 * An absolute URL path of RFC 3986 path characters, not starting with `//`: no query, fragment, host or
 * scheme can be smuggled in.
 */
export const PPROF_PATH_PATTERN = "^/([A-Za-z0-9._~!$&'()*+,;=:@%-][A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$";
/** A Kubernetes secret name (DNS subdomain): a directory name under the sidecar's pprof TLS root, never a path. */
export const SECRET_NAME_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';
const HOST_NAME_PATTERN = '^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$';

/** TLS towards a pprof endpoint: the client certificate, key and CA come from a mounted secret's directory. */
export interface PprofTls {
  /**
   * Name of a directory under the sidecar's pprof TLS root (docs/profilers.md): `tls.crt` and `tls.key`
   * (client certificate, for mTLS) and `ca.crt` (the CA that signs the target's certificate), as a
   * `kubernetes.io/tls` secret mounted there holds them.
   */
  secret?: string;
  /** The name the target's certificate is checked against; default the address connected to. */
  serverName?: string;
}

export interface PprofParams {
  port: number;
  path: string;
  kind: PprofKind;
  scheme: (typeof PPROF_SCHEMES)[number];
  tls?: PprofTls;
}

const PPROF_FIELDS: FieldTable = {
  port: { type: 'integer', max: () => 65535 },
  path: {
    type: 'string',
    maxLength: 256,
    pattern: PPROF_PATH_PATTERN,
    describe: 'must be an absolute URL path without query or fragment, such as /debug/pprof/profile',
  },
  kind: { type: 'enum', values: PPROF_KINDS },
  scheme: { type: 'enum', values: PPROF_SCHEMES },
  tls: {
    type: 'object',
    fields: {
      secret: {
        type: 'string',
        maxLength: 253,
        pattern: SECRET_NAME_PATTERN,
        describe: "must be the name of a secret mounted under the sidecar's pprof TLS directory (no path)",
      },
      serverName: {
        type: 'string',
        maxLength: 253,
        pattern: HOST_NAME_PATTERN,
        describe: 'must be a DNS name or an IP address',
      },
    },
  },
};

/** Highest PID Linux hands out (`/proc/sys/kernel/pid_max` at most). */
export const MAX_PID = 4_194_304;
/** Longest container name: a DNS label. */
export const MAX_CONTAINER_NAME = 63;
export const MAX_PROCESS_PATTERN = 256;
/** Longest free-text note a user may attach to a recording (shown in History and on its page). */
export const MAX_NOTE = 200;
/** Longest bpftrace program, in characters. */
export const MAX_BPFTRACE_PROGRAM = 16_384;

/** profiler bpftrace's settings: the program, which the recorder scopes to the pod (docs/bpftrace.md). */
export interface BpftraceParams {
  program: string;
}

const BPFTRACE_FIELDS: FieldTable = { program: { type: 'string', maxLength: MAX_BPFTRACE_PROGRAM } };

/** Parameters of `POST /recordings`, after defaults are applied. */
export interface RecordingParams {
  durationSeconds: number;
  frequency: number;
  event: string;
  callGraph: CallGraph;
  container?: string;
  processPattern?: string;
  pid?: number;
  symbols: SymbolSource;
  systemWide: boolean;
  profiler: ProfilerChoice;
  /**
   * What is measured (core/contract/profile-types.ts): always set once validated; absent only in entries
   * from before the field, whose type is their pprof kind's, else cpu.
   */
  profile?: ProfileType;
  /** Set (with defaults applied) when profiler is pprof or auto. */
  pprof?: PprofParams;
  /** The program to run with profiler bpftrace (and only then). */
  bpftrace?: BpftraceParams;
  /** The user's own words about the recording ("after the cache fix"); never interpreted. */
  note?: string;
  /** Sinks of the server's configuration, by name, that the finished recording is pushed to as well. */
  sinks?: string[];
  /**
   * When sampling begins (RFC 3339), at most MAX_START_AHEAD_SECONDS ahead; one in the past means now. The
   * recorder plans at once (targets, call graph, perf started with its events off) and samples from this
   * instant for durationSeconds, so what a start costs is paid before it.
   */
  startAt?: string;
}

export const DEFAULT_PARAMS = {
  durationSeconds: 30,
  frequency: 99,
  event: 'cpu-clock',
  callGraph: 'auto',
  symbols: 'proc',
  systemWide: false,
  profiler: 'perf',
} as const satisfies Partial<RecordingParams>;

const FIELDS: Record<keyof RecordingParams, Field> = {
  durationSeconds: { type: 'integer', max: (l) => l.maxDurationSeconds },
  frequency: { type: 'integer', max: (l) => l.maxFrequency },
  event: { type: 'enum', values: EVENTS },
  callGraph: { type: 'enum', values: CALL_GRAPHS },
  container: { type: 'string', maxLength: MAX_CONTAINER_NAME },
  processPattern: { type: 'string', maxLength: MAX_PROCESS_PATTERN, regex: true },
  pid: { type: 'integer', max: () => MAX_PID },
  symbols: { type: 'enum', values: SYMBOL_SOURCES },
  systemWide: { type: 'boolean' },
  profiler: { type: 'enum', values: PROFILERS },
  profile: { type: 'enum', values: PROFILE_TYPES },
  pprof: { type: 'object', fields: PPROF_FIELDS, defaults: PPROF_DEFAULTS },
  bpftrace: { type: 'object', fields: BPFTRACE_FIELDS, required: ['program'] },
  note: { type: 'string', maxLength: MAX_NOTE },
  sinks: {
    type: 'names',
    maxItems: MAX_SINKS_PER_RECORDING,
    pattern: SINK_NAME_PATTERN,
    describe: "must be the name of a sink in the server's configuration (a DNS label)",
  },
  startAt: { type: 'timestamp' },
};

/** The JSON schema of a start request under these limits (defaults shown, unknown fields refused). */
export function startParamsSchema(limits: Readonly<RecordingLimits>): object {
  // The type's default follows the profiler (a pprof kind gives it), so it is shown here, not applied first.
  return tableSchema(FIELDS, limits, { ...DEFAULT_PARAMS, profile: 'cpu' });
}

/** The JSON schema of `pprof` (it has no limit-dependent field): statuses carry it as it was resolved. */
export function pprofParamsSchema(): object {
  return tableSchema(PPROF_FIELDS, DEFAULT_LIMITS, PPROF_DEFAULTS);
}

/** The JSON schema of `sinks`, as statuses carry it. */
export function sinksParamSchema(): object {
  return {
    type: 'array',
    maxItems: MAX_SINKS_PER_RECORDING,
    uniqueItems: true,
    items: { type: 'string', pattern: SINK_NAME_PATTERN },
  };
}

/** The JSON schema of `bpftrace`, as statuses carry it. */
export function bpftraceParamsSchema(): object {
  return { ...tableSchema(BPFTRACE_FIELDS, DEFAULT_LIMITS, {}), required: ['program'] };
}

/** pprof's settings with every default applied (the path follows the kind; TLS implies https). */
export function resolvePprofParams(given: Readonly<Partial<PprofParams>>): PprofParams {
  const kind = given.kind ?? PPROF_DEFAULTS.kind;
  const scheme = given.scheme ?? (given.tls === undefined ? 'http' : 'https');
  if (scheme === 'http' && given.tls !== undefined) {
    throw invalid('pprof.scheme', scheme, 'must be https (or left out) when pprof.tls is set');
  }
  return {
    ...given,
    port: given.port ?? PPROF_DEFAULTS.port,
    kind,
    path: given.path ?? PPROF_DEFAULT_PATHS[kind],
    scheme,
  };
}

/**
 * A bpftrace program goes with profiler bpftrace, which needs one and a pod (never the whole node); the
 * program must be one the scoper can scope, so a refusal answers the start request before anything runs.
 */
function checkBpftrace(params: RecordingParams): void {
  const bpftrace = params.profiler === 'bpftrace';
  if (params.bpftrace !== undefined && !bpftrace)
    throw invalid('bpftrace', '(a program)', `is only used with profiler bpftrace, not ${params.profiler}`);
  if (bpftrace && params.bpftrace === undefined)
    throw new FurnaceError('ERR_INVALID_PARAMETER', 'bpftrace.program is required with profiler bpftrace', {
      field: 'bpftrace.program',
    });
  if (bpftrace && params.systemWide)
    throw invalid('systemWide', true, 'a bpftrace program is always scoped to the pod, not the whole node');
  if (params.bpftrace !== undefined) checkBpftraceProgram(params.bpftrace.program);
}

/** A start may be asked at most MAX_START_AHEAD_SECONDS ahead of `now` (ms); the past means now. */
function checkStartAt(startAt: string | undefined, now: number): void {
  if (startAt === undefined) return;
  const ahead = (Date.parse(startAt) - now) / 1000;
  if (ahead <= MAX_START_AHEAD_SECONDS) return;
  const limit = `must be at most MAX_START_AHEAD_SECONDS (${MAX_START_AHEAD_SECONDS} s) ahead`;
  throw new FurnaceError(
    'ERR_LIMIT_EXCEEDED',
    `startAt ${JSON.stringify(startAt)} is ${Math.round(ahead)} s ahead: ${limit}`,
    { field: 'startAt', value: startAt, limit },
  );
}

/**
 * Checks a start request against the limits and applies the defaults. Unknown fields are refused; the
 * error names the field, the value and the limit. pprof settings are only taken with a profiler that uses
 * them (pprof, auto), and come back with their defaults applied; a bpftrace program only with bpftrace.
 */
export function validateRecordingParams(
  input: unknown,
  limits: Readonly<RecordingLimits>,
  now: number = Date.now(),
): RecordingParams {
  const given = checkTable(input === undefined ? {} : input, FIELDS, limits);
  checkStartAt(given.startAt as string | undefined, now);
  const asked = { ...DEFAULT_PARAMS, ...given } as RecordingParams;
  const pprofUsed = asked.profiler === 'pprof' || asked.profiler === 'auto';
  if (asked.pprof !== undefined && !pprofUsed) {
    throw invalid('pprof', asked.pprof, `is only used with profiler pprof or auto, not ${asked.profiler}`);
  }
  // pprof's kind and the profile type agree (either given decides the other) before pprof's defaults.
  const params = resolveProfile(pprofUsed ? { ...asked, pprof: asked.pprof ?? ({} as PprofParams) } : asked);
  if (pprofUsed) params.pprof = resolvePprofParams(params.pprof ?? {});
  checkBpftrace(params);
  return params;
}
