// A recording's plan fitted to the disk budget: perf.data's cap and the build-id mode come from what is
// free when it starts (disk-budget.ts decides; this reads what the decision needs).
import type { RecordingParams } from '../../../core/contract/recording-params.ts';
import { mappedBinaryBytes } from '../../symbols/binary-cache.ts';
import { budgetRecording, type DiskBudget } from '../../host/disk-budget.ts';
import type { ProcessInfo } from '../../host/process-select.ts';
import { buildIdMode, planRecording, type PlanInput, type RecordingPlan } from './perf-plan.ts';

/**
 * The plan with the cap and mode the budget allows, and warnings to show; throws when the budget is full.
 * `free`: the budget's free bytes when the caller asked for them already (else asked now).
 */
export async function planWithinBudget(
  input: PlanInput & {
    params: RecordingParams;
    targets: readonly ProcessInfo[];
    budget: DiskBudget;
    free?: Promise<number>;
  },
): Promise<{ plan: RecordingPlan; warnings: string[] }> {
  const { config, params, budget } = input;
  const buildIds = buildIdMode(config.mode, input.buildIdMmap);
  const pids = input.targets.map((p) => p.pid);
  const fitted = budgetRecording({
    free: await (input.free ?? budget.free()),
    limitBytes: budget.limitBytes,
    configuredPerfDataBytes: config.maxPerfDataBytes,
    buildIds,
    binaryBytes: buildIds !== 'cache' || params.systemWide ? undefined : await mappedBinaryBytes(pids),
  });
  const plan = planRecording({ ...input, config: { ...config, maxPerfDataBytes: fitted.perfDataBytes } });
  plan.perf.buildIds = fitted.buildIds;
  return { plan, warnings: fitted.warnings };
}
