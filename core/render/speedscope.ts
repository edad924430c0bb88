// Folded stacks → a speedscope file (https://www.speedscope.app/file-format-schema.json): one
// `sampled` profile whose samples point into a shared, deduplicated frame table. With a timeline (perf's
// samples in the order taken), one `sampled` profile per thread in time order instead, so speedscope's
// Time Order view shows what each thread did when.
import { compareCodePoints } from '../stacks/folded.ts';
import type { FoldedStacks } from '../stacks/folded.ts';
import type { TimedSamples } from '../stacks/timeline.ts';

export interface SpeedscopeFrame {
  name: string;
}

export interface SpeedscopeSampledProfile {
  type: 'sampled';
  name: string;
  unit: 'none';
  startValue: number;
  endValue: number;
  /** Each sample is a stack of frame indices, outermost (root) first. */
  samples: number[][];
  weights: number[];
}

export interface SpeedscopeFile {
  $schema: 'https://www.speedscope.app/file-format-schema.json';
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeSampledProfile[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

/** Frame indices by name, shared by every profile of a file. */
class FrameTable {
  readonly frames: SpeedscopeFrame[] = [];
  readonly #index = new Map<string, number>();

  /** The frame indices of a folded key, root first. */
  stackOf(stack: string): number[] {
    return stack.split(';').map((name) => {
      let i = this.#index.get(name);
      if (i === undefined) {
        i = this.frames.length;
        this.frames.push({ name });
        this.#index.set(name, i);
      }
      return i;
    });
  }
}

export interface SpeedscopeOptions {
  name: string;
  /** The samples in time order; used when it holds every sample (none dropped). */
  timeline?: TimedSamples;
}

export function toSpeedscope(stacks: FoldedStacks, options: SpeedscopeOptions): SpeedscopeFile {
  const table = new FrameTable();
  const timeline = options.timeline;
  const profiles =
    timeline !== undefined && timeline.count > 0 && timeline.dropped === 0
      ? threadProfiles(timeline, table)
      : [aggregateProfile(stacks, table, options.name)];
  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames: table.frames },
    profiles,
    name: options.name,
    activeProfileIndex: 0,
    exporter: 'furnace',
  };
}

/** Every stack once with its summed count, sorted: the same file for the same profile. */
function aggregateProfile(stacks: FoldedStacks, table: FrameTable, name: string): SpeedscopeSampledProfile {
  const samples: number[][] = [];
  const weights: number[] = [];
  let total = 0;
  for (const stack of [...stacks.keys()].sort(compareCodePoints)) {
    const weight = stacks.get(stack) ?? 0;
    if (!(weight > 0)) continue;
    samples.push(table.stackOf(stack));
    weights.push(weight);
    total += weight;
  }
  return { type: 'sampled', name, unit: 'none', startValue: 0, endValue: total, samples, weights };
}

/** One profile per thread, its samples in time order; the busiest thread first. */
function threadProfiles(timeline: TimedSamples, table: FrameTable): SpeedscopeSampledProfile[] {
  const byThread = timeline.threads.map(() => [] as number[]);
  for (let i = 0; i < timeline.count; i++) byThread[timeline.thread[i] as number]?.push(i);
  const stacks = new Map<number, number[]>();
  const profiles = byThread.map((indices, thread) => {
    // perf script prints samples in time order already; a stable sort keeps equal times as printed.
    indices.sort((a, b) => (timeline.time[a] as number) - (timeline.time[b] as number));
    const samples: number[][] = [];
    const weights: number[] = [];
    let total = 0;
    for (const i of indices) {
      const id = timeline.stack[i] as number;
      let frames = stacks.get(id);
      if (frames === undefined) {
        frames = table.stackOf(timeline.stacks[id] as string);
        stacks.set(id, frames);
      }
      samples.push(frames);
      weights.push(timeline.weight[i] as number);
      total += timeline.weight[i] as number;
    }
    const name = timeline.threads[thread] as string;
    return { type: 'sampled', name, unit: 'none', startValue: 0, endValue: total, samples, weights } as const;
  });
  return profiles.sort((a, b) => b.endValue - a.endValue);
}
