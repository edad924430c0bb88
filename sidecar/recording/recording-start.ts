// The start of a recording up to the moment it is listed: whether one may start now, and its plan (the
// chosen profiler checks and decides, its directory is made) with the status it begins with. The
// controller (recording-controller.ts) then lists, journals and runs it.
import { mkdir } from 'node:fs/promises';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { RecordingParams } from '../../core/contract/recording-params.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import type { PlannedProfile, ProfilerSet } from '../profilers/profiler.ts';
import { profilerFor } from '../profilers/profiler-set.ts';
import { startWhenDue } from '../profilers/delayed-start.ts';
import type { ControllerDeps } from './controller-deps.ts';
import { assertIdle, beginRecording } from './recording-machine.ts';
import { chooseTargets } from './target-selection.ts';

/** Refuses a start while another recording is starting or active, or one is being symbolized again. */
export function assertCanStart(
  starting: string | undefined,
  recordings: readonly RecordingStatus[],
  resymbolizing: boolean,
): void {
  if (starting !== undefined) {
    throw new FurnaceError('ERR_RECORDING_RUNNING', `recording ${starting} is starting`, { id: starting });
  }
  assertIdle(recordings);
  if (resymbolizing)
    throw new FurnaceError(
      'ERR_RECORDING_RUNNING',
      'a recording is being symbolized again: start again later',
    );
}

/** Plans recording `id` with its profiler, makes its directory, and gives the status it begins with. */
export async function planRecording(input: {
  deps: ControllerDeps;
  profilers: ProfilerSet;
  start: { id: string; dir: string; params: RecordingParams; requestedAtMs: number };
}): Promise<{ status: RecordingStatus; planned: PlannedProfile }> {
  const { deps } = input;
  const { id, dir, params, requestedAtMs } = input.start;
  const planned = await profilerFor(input.profilers, params).plan({
    id,
    dir,
    params,
    chooseTargets: () => chooseTargets(deps, params, requestedAtMs),
  });
  await mkdir(dir, { recursive: true });
  const status = beginRecording({
    id,
    params,
    profiler: planned.profiler,
    targets: planned.targets.map((p) => ({
      pid: p.pid,
      comm: p.comm,
      ...(p.container === undefined ? {} : { container: p.container }),
    })),
    ...(planned.callGraph === undefined ? {} : { callGraph: planned.callGraph }),
    now: new Date(deps.timers.now()),
  });
  const startAt = params.startAt === undefined ? undefined : Date.parse(params.startAt);
  return { status, planned: startWhenDue(planned, startAt, deps.timers) };
}
