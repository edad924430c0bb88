// What a recording measures, its profile type: `cpu` (where it runs), `offcpu` (where it waits), `wall`
// (both, in one unit), and what a Go program's pprof endpoint serves: the snapshots `heap` and `goroutine`,
// and `allocs`, `mutex` and `block` over the recording's duration. Each
// profiler records some of them; a start asking one for another is a 400 naming what it records. A pprof
// recording's type and its `pprof.kind` are one fact said twice: either may be given, they must agree.
// Pure.
import { FurnaceError } from './errors.ts';
import { invalid } from './param-fields.ts';
import type { PprofKind } from './pprof-kinds.ts';

export const PROFILE_TYPES = [
  'cpu',
  'offcpu',
  'wall',
  'heap',
  'goroutine',
  'allocs',
  'mutex',
  'block',
] as const;
export type ProfileType = (typeof PROFILE_TYPES)[number];

/** The profile types each profiler records (the first is its default). */
export const PROFILES_OFFERED: Readonly<
  Record<'perf' | 'pprof' | 'bpftrace' | 'auto' | 'node', readonly ProfileType[]>
> = {
  // perf samples CPU; offcpu and wall come from Furnace's own scheduler recorder (profiler `sched`).
  perf: ['cpu', 'offcpu', 'wall'],
  pprof: ['cpu', 'heap', 'goroutine', 'allocs', 'mutex', 'block'],
  auto: ['cpu', 'heap', 'goroutine', 'allocs', 'mutex', 'block'],
  // A bpftrace program's maps count whatever the program counts: the type says nothing more.
  bpftrace: ['cpu'],
  // V8's CPU profiler and its sampling heap profiler, through the target's inspector.
  node: ['cpu', 'heap'],
};

/** pprof's kind for each profile type it serves, and back. */
const PPROF_KIND_OF: Readonly<Partial<Record<ProfileType, PprofKind>>> = {
  cpu: 'profile',
  heap: 'heap',
  goroutine: 'goroutine',
  allocs: 'allocs',
  mutex: 'mutex',
  block: 'block',
};

/** The types recorded by Furnace's scheduler recorder rather than by perf record. */
export function isSchedulerProfile(profile: ProfileType | undefined): boolean {
  return profile === 'offcpu' || profile === 'wall';
}

/** The profile type a pprof kind gives (`profile` is CPU). */
export function profileOfPprofKind(kind: string): ProfileType {
  return kind === 'profile' ? 'cpu' : (kind as ProfileType);
}

/** The profile type of a recording's parameters (entries from before the field: pprof's kind, else cpu). */
export function profileOf(params: { profile?: ProfileType; pprof?: { kind: string } }): ProfileType {
  return params.profile ?? (params.pprof === undefined ? 'cpu' : profileOfPprofKind(params.pprof.kind));
}

interface ProfileChoice {
  profiler: keyof typeof PROFILES_OFFERED;
  profile?: ProfileType;
  systemWide: boolean;
  pprof?: { kind?: string };
}

/**
 * The profile type a start asks for, checked against what its profiler records, and pprof's kind made to
 * agree with it: given a type, a pprof kind follows from it; given only a kind, the type follows from it.
 */
export function resolveProfile<T extends ProfileChoice>(params: T): T & { profile: ProfileType } {
  const offered = PROFILES_OFFERED[params.profiler];
  const kind = params.pprof?.kind;
  const profile = params.profile ?? (kind === undefined ? 'cpu' : profileOfPprofKind(kind));
  if (!offered.includes(profile))
    throw invalid('profile', profile, `profiler ${params.profiler} records ${offered.join(', ')}`);
  const pprofKind = PPROF_KIND_OF[profile];
  if (kind !== undefined && pprofKind !== kind)
    throw invalid('pprof.kind', kind, `must be ${pprofKind ?? '(none)'} for profile ${profile}, or left out`);
  if (isSchedulerProfile(profile) && params.systemWide)
    throw invalid('systemWide', true, `profile ${profile} is recorded for the chosen processes only`);
  const resolved = { ...params, profile };
  if (params.pprof !== undefined && pprofKind !== undefined)
    resolved.pprof = { ...params.pprof, kind: pprofKind };
  return resolved;
}

/**
 * What an exported profile's values are for a type whose stacks are weighted by time rather than counted
 * (pprof's and OTLP's sample type); undefined for sampled types (samples/count, cpu/nanoseconds).
 */
export function exportValueType(
  profile: ProfileType | undefined,
): { type: 'off_cpu' | 'wall'; unit: 'nanoseconds' } | undefined {
  if (profile === 'offcpu') return { type: 'off_cpu', unit: 'nanoseconds' };
  if (profile === 'wall') return { type: 'wall', unit: 'nanoseconds' };
  return undefined;
}

/** What one unit of a graph's counts is called in its tooltips, where it is not a sample. */
export function countNameOf(profile: ProfileType | undefined): string | undefined {
  if (profile === 'offcpu') return 'ns off-CPU';
  if (profile === 'wall') return 'ns';
  if (profile === 'mutex' || profile === 'block') return 'ns waited';
  if (profile === 'heap' || profile === 'allocs') return 'bytes';
  if (profile === 'goroutine') return 'goroutines';
  return undefined;
}

/**
 * The one profile type of recordings merged or compared together; recordings of two types (samples and
 * nanoseconds blocked) add up to nothing meaningful, so that is a 400 naming one of each.
 */
export function sharedProfile(
  recordings: readonly { id: string; params: Parameters<typeof profileOf>[0] }[],
): ProfileType {
  const [first, ...rest] = recordings;
  const profile = first === undefined ? 'cpu' : profileOf(first.params);
  const other = rest.find((r) => profileOf(r.params) !== profile);
  if (first === undefined || other === undefined) return profile;
  const message = `recordings of different profile types do not merge: ${first.id} is ${profile}, ${other.id} is ${profileOf(other.params)}`;
  throw new FurnaceError('ERR_INVALID_PARAMETER', message, { field: 'id', value: [first.id, other.id] });
}

/**
 * What a graph of this type counts, for the viewer: samples (cpu); nanoseconds off-CPU, of wall time, or
 * waited on Go locks (mutex) and blocked on channels and locks (block); bytes in use (heap: pprof's
 * inuse_space, V8's live allocations) or allocated (allocs); goroutines.
 */
export function measureOf(
  profile: ProfileType | undefined,
): { unit: 'samples' } | { unit: 'nanoseconds' | 'bytes' | 'count'; label: string } {
  switch (profile) {
    case 'offcpu':
      return { unit: 'nanoseconds', label: 'off-CPU' };
    case 'wall':
      return { unit: 'nanoseconds', label: 'wall' };
    case 'mutex':
      return { unit: 'nanoseconds', label: 'waited on locks' };
    case 'block':
      return { unit: 'nanoseconds', label: 'blocked' };
    case 'heap':
      return { unit: 'bytes', label: 'in use' };
    case 'allocs':
      return { unit: 'bytes', label: 'allocated' };
    case 'goroutine':
      return { unit: 'count', label: 'goroutines' };
    default:
      return { unit: 'samples' };
  }
}
