// The `record` tool: starts a recording of a pod through Furnace, as `furnace record` does, reports its
// progress as MCP progress notifications while it runs, and stops it when the client cancels (what was
// sampled is kept). A refusal (RBAC, limits, no such pod) comes back as a tool error in Furnace's words.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { LIMIT_CEILINGS } from '../../core/contract/limits.ts';
import { PROFILE_TYPES } from '../../core/contract/profile-types.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { MAX_PID, MAX_PROCESS_PATTERN } from '../../core/contract/recording-params.ts';
import type { FurnaceApi } from '../kube-api.ts';
import { describeProgress } from '../progress.ts';
import { startRecording } from '../record.ts';
import { followRecording } from '../status-reads.ts';
import { OBJECT_NAME_PATTERN, checked } from './answer-schemas.ts';
import { boundedMessage } from './bounded-text.ts';
import { podRecordingsPath } from './furnace-reads.ts';
import { answer, guarded, namespaceField, type ToolContext, type ToolExtra } from './tool-context.ts';
import { recordOutput, type RecordOutput } from './tool-outputs.ts';

const inputSchema = {
  namespace: namespaceField,
  pod: z.string().regex(new RegExp(OBJECT_NAME_PATTERN)).describe('The pod to record (see `list`)'),
  container: z
    .string()
    .min(1)
    .max(63)
    .optional()
    .describe('Only this container (default: every one but the sidecar)'),
  durationSeconds: z
    .number()
    .int()
    .min(1)
    .max(LIMIT_CEILINGS.maxDurationSeconds)
    .optional()
    .describe("How long to record, in seconds (default 10; the server's limit applies)"),
  profile: z.enum(PROFILE_TYPES).optional().describe('What to measure: cpu (default), offcpu, wall, …'),
  processPattern: z
    .string()
    .min(1)
    .max(MAX_PROCESS_PATTERN)
    .optional()
    .describe('Only processes whose name (else command line) matches this regular expression'),
  pid: z
    .number()
    .int()
    .min(1)
    .max(MAX_PID)
    .optional()
    .describe('Only this process (as the recorder sees its PID)'),
  frequency: z
    .number()
    .int()
    .min(1)
    .max(LIMIT_CEILINGS.maxFrequency)
    .optional()
    .describe('Samples per second (default: the server’s)'),
};

type RecordArgs = { [K in keyof typeof inputSchema]: z.infer<(typeof inputSchema)[K]> };

function startBody(args: RecordArgs): Record<string, unknown> {
  const body: Record<string, unknown> = { durationSeconds: args.durationSeconds ?? 10 };
  for (const key of ['container', 'profile', 'processPattern', 'pid', 'frequency'] as const)
    if (args[key] !== undefined) body[key] = args[key];
  return body;
}

/**
 * Sends the status as a progress notification when the client asked for them (a progress token) and the
 * progress has grown: MCP wants each notification's progress larger than the last.
 */
function progressReporter(
  extra: ToolExtra,
  closing: AbortSignal,
): (status: RecordingStatus) => Promise<void> {
  const token = extra._meta?.progressToken;
  let last = -1;
  return async (status) => {
    const progress = Math.round(status.progress * 1000) / 10;
    if (token === undefined || progress <= last || extra.signal.aborted || closing.aborted) return;
    last = progress;
    await extra.sendNotification({
      method: 'notifications/progress',
      params: {
        progressToken: token,
        progress,
        total: 100,
        message: `${status.id}: ${describeProgress(status)}`,
      },
    });
  };
}

async function follow(
  api: FurnaceApi,
  path: string,
  started: { status: RecordingStatus; at: number; durationSeconds: number },
  signals: { extra: ToolExtra; closing: AbortSignal },
): Promise<RecordingStatus> {
  const { extra, closing } = signals;
  // Cancelled, or the client went away: stop it and follow it to its end, so what was sampled is kept.
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    api.json('POST', `${path}/stop`, {}).catch(() => undefined);
  };
  extra.signal.addEventListener('abort', stop, { once: true });
  closing.addEventListener('abort', stop, { once: true });
  try {
    // Reads wait on the recorder: a few seconds each while it records (a notification each), then for its end.
    return await followRecording(started.status, {
      ...{ api, path, startedAt: started.at, durationSeconds: started.durationSeconds },
      parse: (raw) => checked('status', raw, `the status of ${started.status.id}`),
      onStatus: progressReporter(extra, closing),
    });
  } finally {
    extra.signal.removeEventListener('abort', stop);
    closing.removeEventListener('abort', stop);
  }
}

function recordText(status: RecordingStatus, where: string): string {
  const lines = [
    status.state === 'done'
      ? `Recording ${status.id} of ${where} is done: ${status.samples ?? 0} samples. Next: summarize it (id ${status.id}).`
      : `Recording ${status.id} of ${where} failed: ${JSON.stringify(boundedMessage(status.error ?? 'no reason given'))}`,
  ];
  if (status.endReason !== undefined)
    lines.push(`Ended: ${JSON.stringify(boundedMessage(status.endReason))}`);
  for (const w of status.warnings ?? []) lines.push(`Warning: ${JSON.stringify(boundedMessage(w))}`);
  return lines.join('\n');
}

export function registerRecordTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'record',
    {
      title: 'Record a pod',
      description:
        'Records a CPU (or other) profile of a pod for a number of seconds with your own Kubernetes rights ' +
        '(the furnace-recorder role in its namespace), waiting until the flame graph is made; sends progress ' +
        'notifications while it runs, and stops early (keeping what was sampled) when cancelled. Returns the ' +
        'recording id for `summarize`, `compare` and `links`. It starts a profiler in the pod; it changes no workload.',
      inputSchema,
      outputSchema: recordOutput,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    guarded(async (args: RecordArgs, extra: ToolExtra) => {
      const api = context.api();
      const namespace = args.namespace ?? context.namespace();
      const base = podRecordingsPath(namespace, args.pod);
      const body = startBody(args);
      const raw = await startRecording(api, base, body, process.stderr);
      const started = checked('status', raw, 'the start');
      const at = Date.now();
      const path = `${base}/${encodeURIComponent(started.id)}`;
      const durationSeconds = Number(body.durationSeconds);
      const signals = { extra, closing: context.closing };
      const status = await follow(api, path, { status: started, at, durationSeconds }, signals);
      const structured: RecordOutput = {
        id: status.id,
        namespace,
        pod: args.pod,
        state: status.state,
        samples: status.samples ?? 0,
        ...(status.endReason === undefined ? {} : { endReason: boundedMessage(status.endReason) }),
        warnings: (status.warnings ?? []).map((w) => boundedMessage(w)),
        artifacts: status.artifacts,
      };
      return {
        ...answer(recordText(status, `${namespace}/${args.pod}`), structured),
        ...(status.state === 'failed' ? { isError: true } : {}),
      };
    }),
  );
}
