// A finished recording symbolized again on request (docs/profilers.md, "Symbolizing a recording again"): its
// profiler makes the stacks again from what the recording kept (perf.data) with the symbols there are now,
// every graph is rendered into a work directory, and only then each new file replaces the old one (one
// rename each), so the recording's graphs stay whole throughout; the catalog then gets them again. What the
// recording said about naming its frames and its diagnoses (warnings of kinds `symbols` and `diagnosis`)
// are replaced by what the new stacks say; its other warnings stay. A failure leaves the graphs and those
// warnings as they were and says so on the recording.
import { rename, rm } from 'node:fs/promises';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { ArtifactName } from '../../core/contract/names.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import {
  isResymbolizable,
  resymbolizedWarning,
  resymbolizeFailedWarning,
} from '../../core/contract/resymbolize.ts';
import type { DiskBudget } from '../host/disk-budget.ts';
import type { Profiler } from '../profilers/profiler.ts';
import type { RecordingEvent } from '../recording-events.ts';
import { recordingExports } from './export-meta.ts';
import { recordingFindings } from './recording-findings.ts';
import { isActive } from './recording-machine.ts';
import { renderStacks } from './render-artifacts.ts';

export interface ResymbolizeDeps {
  dir: string;
  status: RecordingStatus;
  profiler: Profiler | undefined;
  budget: Pick<DiskBudget, 'free'>;
  where: { podNamespace: string; podName: string };
  now(): number;
  /** Events for the recording itself: the new artifacts' names, its new diagnoses, the closing warning. */
  report(event: RecordingEvent): void;
  /** Sends the recording to the catalog again. */
  upload(): Promise<unknown>;
  log(message: string, fields?: Record<string, unknown>): void;
}

/** Why a recording cannot be symbolized again now, or undefined when it can. */
export function resymbolizeRefusal(
  status: RecordingStatus,
  profiler: Profiler | undefined,
  /** Another recording runs or starts, or one is being symbolized again: one at a time. */
  busy: boolean,
): FurnaceError | undefined {
  const { id } = status;
  if (isActive(status))
    return new FurnaceError('ERR_RECORDING_RUNNING', `recording ${id} is still ${status.state}`, { id });
  if (busy)
    return new FurnaceError('ERR_RECORDING_RUNNING', `the recorder is busy: symbolize ${id} again later`, {
      id,
    });
  if (!isResymbolizable(status) || profiler?.resymbolize === undefined)
    return new FurnaceError(
      'ERR_INVALID_PARAMETER',
      `recording ${id} kept no perf.data to symbolize again (only a finished perf recording that kept it can be)`,
      { field: 'id', value: id },
    );
  return undefined;
}

/** Symbolizes the recording again; resolves once its new graphs are in place and sent, or it said why not. */
export async function resymbolize(deps: ResymbolizeDeps): Promise<void> {
  await symbolizeAgain(deps).catch((error: Error) =>
    deps.log('symbolizing again failed', { id: deps.status.id, error: error.message }),
  );
}

async function symbolizeAgain(deps: ResymbolizeDeps): Promise<void> {
  const { dir, status } = deps;
  const workDir = `${dir}/resymbolize`;
  const warnings: string[] = [];
  const written = new Set<ArtifactName>();
  const collect = (event: RecordingEvent): void => {
    if (event.type === 'warning') warnings.push(event.message);
    if (event.type === 'artifact' && event.name !== 'perf.data') written.add(event.name);
  };
  await rm(workDir, { recursive: true, force: true });
  try {
    const output = await deps.profiler?.resymbolize?.({
      ...{ id: status.id, dir, workDir, report: collect },
      ...{ params: status.params, targets: status.targets },
    });
    if (output === undefined) throw new Error('perf.data is missing or is not a perf file');
    const { params } = status;
    await renderStacks(
      { report: collect, budget: deps.budget },
      {
        dir: workDir,
        title: `Furnace: ${deps.where.podNamespace}/${deps.where.podName}`,
        subtitle: `${params.event} at ${params.frequency} Hz · symbolized again`,
        name: `${deps.where.podNamespace}/${deps.where.podName} ${status.id}`,
        exports: recordingExports(status, deps.where, deps.now()),
        ...(output.timeline === undefined ? {} : { timeline: output.timeline }),
        treeWritten: false,
      },
      output.stacks,
    );
    for (const name of written) {
      await rename(`${workDir}/${name}`, `${dir}/${name}`);
      if (!status.artifacts.includes(name)) deps.report({ type: 'artifact', name });
    }
    const recorded = (Date.parse(status.endedAt ?? '') - Date.parse(status.startedAt)) / 1000;
    const findings = recordingFindings(status, output.stacks, recorded || status.params.durationSeconds);
    deps.report({ type: 'warnings', kind: 'diagnosis', messages: findings });
    // What the symbol sources say now (in the outcome, with where the names came from) replaces what they said.
    const at = new Date(deps.now()).toISOString();
    deps.report({ type: 'warnings', kind: 'symbols', messages: [resymbolizedWarning(at, warnings)] });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The graphs are as they were, and so is what was said about them; a later success replaces this too.
    deps.report({ type: 'warning', kind: 'symbols', message: resymbolizeFailedWarning(message) });
    return;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  await deps.upload();
}
