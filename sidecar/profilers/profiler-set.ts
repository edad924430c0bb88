// The profiler a start names, from the set this recorder offers; a name it does not offer is a 400 that
// lists what it does offer.
import { FurnaceError } from '../../core/contract/errors.ts';
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
