// The profiler a start names, from the set this recorder offers; a name it does not offer is a 400 that
// lists what it does offer.
import { FurnaceError } from '../../core/contract/errors.ts';
import { isSchedulerProfile } from '../../core/contract/profile-types.ts';
import type { RecordingParams } from '../../core/contract/recording-params.ts';
import type { Profiler, ProfilerSet } from './profiler.ts';

export function profilerNamed(profilers: ProfilerSet, name: string): Profiler {
  const profiler = profilers[name as keyof ProfilerSet];
  if (profiler !== undefined) return profiler;
  const offered = Object.keys(profilers).join(', ');
  throw new FurnaceError(
    'ERR_INVALID_PARAMETER',
    `profiler ${name} is not available in this recorder (it offers ${offered})`,
    { field: 'profiler', value: name, allowed: offered },
  );
}

/**
 * The profiler that records a start: the scheduler recorder for profiles offcpu and wall (a recorder
 * without it refuses them with a 400 naming what it records), else the profiler the start names.
 */
export function profilerFor(
  profilers: ProfilerSet,
  params: Pick<RecordingParams, 'profiler' | 'profile'>,
): Profiler {
  if (!isSchedulerProfile(params.profile)) return profilerNamed(profilers, params.profiler);
  if (profilers.sched !== undefined) return profilers.sched;
  throw new FurnaceError(
    'ERR_INVALID_PARAMETER',
    `profile ${params.profile} is not available in this recorder (it records cpu${profilers.pprof === undefined ? '' : ', heap, goroutine, allocs, mutex, block'})`,
    { field: 'profile', value: params.profile },
  );
}
