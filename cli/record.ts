// `furnace record -n NS POD`: starts a recording through the aggregated API, shows its progress until it
// finishes (status reads that wait on the recorder for the end: status-reads.ts), and writes its artifacts
// into a directory.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROFILE_TYPES } from '../core/contract/profile-types.ts';
import type { RecordingStatus } from '../core/contract/recording.ts';
import { optionText, parseDuration, UsageError } from './args.ts';
import { ApiError, type FurnaceApi } from './kube-api.ts';
import { checkedRecordingId, printable } from './safe-output.ts';
import { writeRecordedFiles } from './record-artifacts.ts';
import { createProgress, describeProgress } from './progress.ts';
import { remoteVerb, type VerbContext } from './remote.ts';
import { followRecording } from './status-reads.ts';
import { CALL_GRAPHS } from '../core/contract/recording-params.ts';
import { PROFILERS, VERBS } from './verbs.ts';

/** An option whose value must be one of `allowed`; undefined when it is not given. */
function choiceOption(
  parsed: VerbContext['parsed'],
  name: string,
  allowed: readonly string[],
  what: string,
): string | undefined {
  const value = optionText(parsed, name);
  if (value !== undefined && !allowed.includes(value))
    throw new UsageError(`${what} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return value;
}

/** The start request's body from the options; only what the user gave, so the server's defaults apply. */
export function startBody(context: Pick<VerbContext, 'parsed'>): Record<string, unknown> {
  const { parsed } = context;
  const body: Record<string, unknown> = {
    durationSeconds: parseDuration(optionText(parsed, 'duration') ?? '30s'),
  };
  const container = optionText(parsed, 'container');
  if (container !== undefined) body.container = container;
  const frequency = optionText(parsed, 'frequency');
  if (frequency !== undefined) {
    if (!/^\d+$/.test(frequency) || Number(frequency) < 1)
      throw new UsageError(`frequency ${JSON.stringify(frequency)} is not a positive integer`);
    body.frequency = Number(frequency);
  }
  const pattern = optionText(parsed, 'pattern');
  if (pattern !== undefined) body.processPattern = pattern;
  const pid = optionText(parsed, 'pid');
  if (pid !== undefined) {
    if (!/^\d+$/.test(pid) || Number(pid) < 1)
      throw new UsageError(`pid ${JSON.stringify(pid)} is not a positive integer`);
    body.pid = Number(pid);
  }
  Object.assign(body, profilerFields(parsed));
  return body;
}

/** `--profiler`, `--profile`, `--call-graph` and `--program`: who records, what and how. */
function profilerFields(parsed: VerbContext['parsed']): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const profiler = choiceOption(parsed, 'profiler', PROFILERS, 'profiler');
  if (profiler !== undefined) body.profiler = profiler;
  const profile = choiceOption(parsed, 'profile', PROFILE_TYPES, 'profile');
  if (profile !== undefined) body.profile = profile;
  const callGraph = choiceOption(parsed, 'call-graph', CALL_GRAPHS, 'call graph');
  if (callGraph !== undefined) body.callGraph = callGraph;
  const programFile = optionText(parsed, 'program');
  if (programFile !== undefined) {
    if (profiler !== undefined && profiler !== 'bpftrace')
      throw new UsageError(`--program is a bpftrace program: it does not go with --profiler ${profiler}`);
    body.profiler = 'bpftrace';
    body.bpftrace = { program: readProgram(programFile) };
  }
  return body;
}

function readProgram(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the bpftrace program ${file}: ${(error as Error).message}`);
  }
}

/** Answers worth one more try of a start: a replica or the API server that went away mid-way. */
const RETRIED_STATUSES = new Set([502, 503, 504]);
const RETRY_AFTER_MS = 1000;

function worthRetrying(error: unknown): boolean {
  if (error instanceof ApiError) return RETRIED_STATUSES.has(error.status);
  // The answer was lost on the way (kube-api.ts and local-api.ts word these).
  return error instanceof Error && error.message.startsWith('could not reach');
}

/**
 * The start, tried once more after a second when its answer was lost. Both attempts carry one
 * Idempotency-Key, so a start that did begin is answered with its recording, not started twice or
 * refused as "already recording" (the UI and the operator start the same way).
 */
export async function startRecording(
  api: FurnaceApi,
  path: string,
  body: Record<string, unknown>,
  stderr: NodeJS.WritableStream,
): Promise<RecordingStatus> {
  const headers = { 'idempotency-key': randomUUID() };
  try {
    return await api.json<RecordingStatus>('POST', path, body, headers);
  } catch (error) {
    if (!worthRetrying(error)) throw error;
    stderr.write(
      `furnace record: the start's answer was lost (${printable((error as Error).message)}); asking again\n`,
    );
    await sleep(RETRY_AFTER_MS);
    return api.json<RecordingStatus>('POST', path, body, headers);
  }
}

/** Why recording ended and each warning (what the graph lacks and what to do), as the recording page says them. */
function tellOutcome(context: VerbContext, status: RecordingStatus): void {
  const { stderr } = context.io;
  if (status.endReason !== undefined) stderr.write(`furnace record: ended: ${printable(status.endReason)}\n`);
  for (const warning of status.warnings ?? [])
    stderr.write(`furnace record: warning: ${printable(warning)}\n`);
}

/** A word as a shell reads it back: quoted unless it is plain. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The options that chose where this recording went (--server, --key-file, --kubeconfig, --context), for a hint. */
function connectionFlags(context: VerbContext): string {
  return ['server', 'key-file', 'kubeconfig', 'context']
    .flatMap((name) => {
      const value = optionText(context.parsed, name);
      return value === undefined ? [] : [` --${name} ${printable(shellWord(value))}`];
    })
    .join('');
}

async function record(context: VerbContext): Promise<number> {
  const [pod] = context.positionals as [string];
  const body = startBody(context);
  const api = context.api();
  const namespace = context.namespace();
  const base = `/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/recordings`;
  const started = await startRecording(api, base, body, context.io.stderr);
  const startedAt = Date.now();
  const id = checkedRecordingId(started.id, 'the start answer');
  const { stderr, stdout } = context.io;
  stderr.write(
    `furnace record: recording ${id} of ${namespace}/${pod} for ${String(body.durationSeconds)}s\n`,
  );
  if (started.callGraphUsed !== undefined)
    stderr.write(
      `furnace record: call graph ${started.callGraphUsed}: ${printable(started.callGraphReason ?? 'no reason given')}\n`,
    );
  const progress = createProgress(stderr);
  const stop = (): void => {
    progress.update('stopping early (what was sampled is kept)');
    api.json('POST', `${base}/${id}/stop`, {}).catch(() => undefined);
  };
  process.once('SIGINT', stop);
  let status: RecordingStatus;
  try {
    status = await followRecording(started, {
      ...{ api, path: `${base}/${id}`, parse: (raw) => raw as RecordingStatus },
      ...{ startedAt, durationSeconds: Number(body.durationSeconds) },
      onStatus: (now) => progress.update(`${id}: ${describeProgress(now)}`),
    });
  } finally {
    process.removeListener('SIGINT', stop);
    progress.done();
  }
  tellOutcome(context, status);
  if (status.state === 'failed') {
    stderr.write(`furnace record: recording ${id} failed: ${printable(status.error ?? 'no reason given')}\n`);
    return 1;
  }
  const dir = optionText(context.parsed, 'output') ?? `furnace-${id}`;
  const downloadCommand = `furnace download ${id} -n ${namespace}${connectionFlags(context)}`;
  const files = { api, path: `${base}/${id}`, status, dir, downloadCommand };
  if (!(await writeRecordedFiles(files, { stdout, stderr }))) return 1;
  stderr.write(
    `furnace record: ${id} done${status.samples === undefined ? '' : `, ${status.samples} samples`}; ` +
      `also in the catalog (${downloadCommand})\n`,
  );
  return 0;
}

export const run = remoteVerb(VERBS.record, record);
