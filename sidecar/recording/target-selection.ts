// Which processes of the pod (or the node) a recording takes, and which a start with given settings would
// take now (GET /processes, nothing started): the recording controller's choice of targets.
import type { RecordingParams } from '../../core/contract/recording-params.ts';
import type { ProcessMatches } from '../../core/contract/processes.ts';
import {
  selectProcesses,
  type ProcessInfo,
  type SelectionContext,
  type SelectionRequest,
} from '../host/process-select.ts';
import { chooseForPreview, describeMatches } from '../host/process-preview.ts';
import type { ControllerDeps } from './controller-deps.ts';

type SelectionDeps = Pick<
  ControllerDeps,
  'config' | 'selfPid' | 'listProcesses' | 'nestedPidNamespace' | 'timers' | 'sampleCpuPercent'
>;

/** How many matching processes GET /processes samples for their CPU share (the busiest are listed first). */
const MAX_CPU_SAMPLED = 500;

async function selectionContext(deps: SelectionDeps, requestedAtMs: number): Promise<SelectionContext> {
  const { config } = deps;
  return {
    mode: config.mode,
    requestedAtMs,
    ...(config.podUid === undefined ? {} : { podUid: config.podUid }),
    selfPid: deps.selfPid,
    nestedPidNamespace: config.mode === 'pod' && (await deps.nestedPidNamespace()),
  };
}

export async function chooseTargets(
  deps: SelectionDeps,
  params: RecordingParams,
  requestedAtMs: number,
): Promise<ProcessInfo[]> {
  const processes = await deps.listProcesses(deps.config.mode === 'pod');
  return selectProcesses(processes, params, await selectionContext(deps, requestedAtMs));
}

export async function matchingProcesses(
  deps: SelectionDeps,
  request: SelectionRequest,
): Promise<ProcessMatches> {
  const processes = await deps.listProcesses(deps.config.mode === 'pod');
  const ctx = await selectionContext(deps, deps.timers.now());
  const { chosen, reason } = chooseForPreview(processes, request, ctx);
  const pids = chosen.slice(0, MAX_CPU_SAMPLED).map((p) => p.pid);
  const cpu = (await deps.sampleCpuPercent?.(pids)) ?? new Map<number, number>();
  return describeMatches(chosen, cpu, reason);
}
