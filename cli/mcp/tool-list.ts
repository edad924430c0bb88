// The `list` tool: the pods the user may record (with their containers, the processes running in them now
// when the user may record there, and the processes recordings of them have seen) and the recordings the
// user may read. Read-only.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { FurnaceApi } from '../kube-api.ts';
import type { EntryView, PodView } from './answer-schemas.ts';
import { boundedName, quoted } from './bounded-text.ts';
import { listContainers, listPods, listProcesses, listRecordings } from './furnace-reads.ts';
import { answer, guarded, namespaceField, type ToolContext } from './tool-context.ts';
import {
  listOutput,
  MAX_LISTED_PODS,
  MAX_LISTED_RECORDINGS,
  PROCESSES_PER_POD,
  type ListOutput,
} from './tool-outputs.ts';

/** Containers are looked up for at most this many pods (one call each). */
const CONTAINER_LOOKUPS = 10;

type PodRow = ListOutput['pods'][number];
/** Busiest first, PROCESSES_PER_POD at most; absent when the user may not record there. */
type RunningProcess = NonNullable<PodRow['processesRunning']>[number];
type RecordingRow = ListOutput['recordings'][number];

/** The pod's processes now, or undefined when they cannot be read (a viewer may not: it needs create). */
async function runningProcesses(api: FurnaceApi, namespace: string, pod: string) {
  const matches = await listProcesses(api, namespace, pod).catch(() => undefined);
  return matches?.processes.slice(0, PROCESSES_PER_POD).map((p): RunningProcess => ({
    pid: p.pid,
    comm: boundedName(p.comm, 64),
    ...(p.container === undefined ? {} : { container: boundedName(p.container) }),
    cpuPercent: p.cpuPercent,
  }));
}

function recordingRow(e: EntryView): RecordingRow {
  return {
    id: e.id,
    namespace: e.namespace,
    pod: e.pod,
    ...(e.container === undefined ? {} : { container: boundedName(e.container) }),
    state: e.state,
    profile: e.params.profile ?? 'cpu',
    ...(e.samples === undefined ? {} : { samples: e.samples }),
    startedAt: boundedName(e.startedAt),
    ...(e.startedBy === undefined ? {} : { startedBy: boundedName(e.startedBy) }),
  };
}

/** The process names the catalog's recordings of each pod recorded. */
function processesSeen(entries: EntryView[]): Map<string, string[]> {
  const seen = new Map<string, Set<string>>();
  for (const e of entries) {
    const key = `${e.namespace}/${e.pod}`;
    const names = seen.get(key) ?? new Set<string>();
    for (const target of e.targets ?? [])
      if (names.size < PROCESSES_PER_POD) names.add(boundedName(target.comm, 64));
    seen.set(key, names);
  }
  return new Map([...seen].map(([key, names]) => [key, [...names].sort()]));
}

async function podRows(
  api: FurnaceApi,
  pods: PodView[],
  namespace: string | undefined,
  seen: Map<string, string[]>,
) {
  const rows: PodRow[] = [];
  for (const [i, p] of pods.slice(0, MAX_LISTED_PODS).entries()) {
    const row: PodRow = {
      namespace: p.namespace,
      pod: p.pod,
      mode: p.mode ?? 'sidecar',
      processesSeen: seen.get(`${p.namespace}/${p.pod}`) ?? [],
    };
    if (namespace !== undefined && i < CONTAINER_LOOKUPS) {
      // A pod whose containers cannot be read is listed without them.
      const containers = await listContainers(api, p.namespace, p.pod).catch(() => undefined);
      if (containers) row.containers = containers.map((c) => boundedName(c));
      const running = await runningProcesses(api, p.namespace, p.pod);
      if (running) row.processesRunning = running;
    }
    rows.push(row);
  }
  return rows;
}

function listText(pods: PodRow[], podCount: number, recordings: RecordingRow[], more: boolean): string {
  const namespaces = [...new Set(pods.map((p) => p.namespace))].sort();
  const lines = [
    `Namespaces with pods you may record: ${namespaces.join(', ') || 'none'}`,
    `Pods you may record (${podCount}${podCount > pods.length ? `, first ${pods.length} shown` : ''}):`,
  ];
  for (const p of pods)
    lines.push(
      `  ${p.namespace}/${p.pod} (${p.mode})` +
        (p.containers ? ` containers: ${p.containers.map((c) => quoted(c)).join(', ') || 'none'}` : '') +
        (p.processesRunning
          ? ` processes running: ${p.processesRunning.map((r) => `${quoted(r.comm)} (pid ${r.pid}, ${r.cpuPercent}% CPU)`).join(', ') || 'none'}`
          : '') +
        (p.processesSeen.length > 0
          ? ` processes seen: ${p.processesSeen.map((c) => quoted(c)).join(', ')}`
          : ''),
    );
  lines.push(`Recordings you may read (newest first${more ? '; more exist' : ''}):`);
  for (const r of recordings)
    lines.push(
      `  ${r.id} ${r.namespace}/${r.pod}${r.container ? ` ${quoted(r.container)}` : ''} ${r.profile} ${r.state}` +
        `${r.samples === undefined ? '' : ` ${r.samples} samples`} ${r.startedAt}`,
    );
  if (recordings.length === 0) lines.push('  (none)');
  return lines.join('\n');
}

export function registerListTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'list',
    {
      title: 'List pods and recordings',
      description:
        'Lists the pods with a Furnace recorder that you may profile (their containers, the processes running in ' +
        'them now where you may record, and the processes earlier recordings of them saw) and the recordings in the catalog you may read, newest first. Use it to find ' +
        'the pod for `record` and the recording ids for `summarize`, `compare` and `links`. Changes nothing.',
      inputSchema: {
        namespace: namespaceField,
        allNamespaces: z.boolean().optional().describe('Every namespace you may see (ignores namespace)'),
        recordings: z
          .number()
          .int()
          .min(0)
          .max(MAX_LISTED_RECORDINGS)
          .optional()
          .describe('How many recordings to list (default 20)'),
      },
      outputSchema: listOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(
      async (args: {
        namespace?: string | undefined;
        allNamespaces?: boolean | undefined;
        recordings?: number | undefined;
      }) => {
        const api = context.api();
        const namespace = args.allNamespaces === true ? undefined : (args.namespace ?? context.namespace());
        const pods = await listPods(api, namespace);
        const listed = await listRecordings(api, namespace, args.recordings ?? 20);
        const rows = await podRows(api, pods, namespace, processesSeen(listed.items));
        const recordings = listed.items.map(recordingRow);
        const structured: ListOutput = {
          namespace: namespace ?? null,
          namespaces: [...new Set(pods.map((p) => p.namespace))].sort(),
          pods: rows,
          podCount: pods.length,
          recordings,
          moreRecordings: listed.more,
        };
        return answer(listText(rows, pods.length, recordings, listed.more), structured);
      },
    ),
  );
}
