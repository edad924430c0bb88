// A decoded pprof profile → folded stacks (root first, `;`-separated), with one of its sample values as the
// count: samples for a CPU profile (comparable to perf's sample counts), bytes in use for a heap profile,
// goroutines for a goroutine profile, bytes allocated for allocs, nanoseconds waited for mutex and block.
// Pure.
import type { PprofKind } from '../contract/recording-params.ts';
import type { PprofProfile, ValueType } from './profile.ts';
import type { FoldedStacks } from '../stacks/folded.ts';

/** Which sample value each kind counts, by pprof's type name; the first present one wins. */
export const PREFERRED_VALUES: Readonly<Record<PprofKind, readonly string[]>> = {
  profile: ['samples', 'cpu'],
  heap: ['inuse_space', 'inuse_objects', 'alloc_space'],
  goroutine: ['goroutine', 'goroutines'],
  allocs: ['alloc_space', 'alloc_objects'],
  // Time waited on the lock (mutex: by the holder's unlock stack; block: by the waiter's stack).
  mutex: ['delay', 'contentions'],
  block: ['delay', 'contentions'],
};

export interface FoldedProfile {
  stacks: FoldedStacks;
  /** The value counted, e.g. `samples (count)` or `inuse_space (bytes)`. */
  value: ValueType;
  /** Samples whose value was zero or negative (freed heap, a diff profile), left out. */
  skipped: number;
}

/**
 * The index of the value to count: the kind's preferred type, else the profile's default type, else the
 * last one (pprof's own default).
 */
export function chooseValue(profile: PprofProfile, kind: PprofKind): number {
  const names = profile.sampleTypes.map((t) => t.type);
  for (const preferred of PREFERRED_VALUES[kind]) {
    const index = names.indexOf(preferred);
    if (index >= 0) return index;
  }
  const byDefault = profile.defaultSampleType === undefined ? -1 : names.indexOf(profile.defaultSampleType);
  return byDefault >= 0 ? byDefault : names.length - 1;
}

/** A frame name that cannot break the folded format: `;` separates frames and a line ends a stack. */
function frameName(name: string): string {
  return name.replace(/[;\r\n]/g, (c) => (c === ';' ? ':' : ' '));
}

/** Function names of one location, outermost first (pprof lists inlined functions innermost first). */
function locationFrames(profile: PprofProfile, locationId: number): string[] {
  const location = profile.locations.get(locationId);
  if (location === undefined) return [`[unknown location ${locationId}]`];
  if (location.lines.length === 0) return [`0x${location.address.toString(16)}`];
  const frames: string[] = [];
  for (let i = location.lines.length - 1; i >= 0; i--) {
    const line = location.lines[i];
    const fn = line === undefined ? undefined : profile.functions.get(line.functionId);
    frames.push(frameName(fn?.name || fn?.systemName || `0x${location.address.toString(16)}`));
  }
  return frames;
}

/** The program's name for the root frame, as perf's folded stacks start with the process name. */
function programName(profile: PprofProfile): string | undefined {
  const main = profile.mappings[0]?.filename;
  const base = main?.split('/').at(-1);
  return base === undefined || base === '' ? undefined : frameName(base);
}

export function pprofToFolded(profile: PprofProfile, kind: PprofKind): FoldedProfile {
  const index = chooseValue(profile, kind);
  const value = profile.sampleTypes[index] ?? { type: 'samples', unit: 'count' };
  const stacks: FoldedStacks = new Map();
  const root = programName(profile);
  const cache = new Map<number, string[]>();
  let skipped = 0;
  for (const sample of profile.samples) {
    const count = sample.values[index] ?? 0;
    if (!(count > 0)) {
      skipped++;
      continue;
    }
    const frames: string[] = root === undefined ? [] : [root];
    for (let i = sample.locationIds.length - 1; i >= 0; i--) {
      const id = sample.locationIds[i] ?? 0;
      let names = cache.get(id);
      if (names === undefined) {
        names = locationFrames(profile, id);
        cache.set(id, names);
      }
      frames.push(...names);
    }
    if (frames.length === 0) frames.push('[no stack]');
    const key = frames.join(';');
    stacks.set(key, (stacks.get(key) ?? 0) + count);
  }
  return { stacks, value, skipped };
}
