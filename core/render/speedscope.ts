// Folded stacks → a speedscope file (https://www.speedscope.app/file-format-schema.json): one
// `sampled` profile whose samples point into a shared, deduplicated frame table.
import { compareCodePoints } from '../stacks/folded.ts';
import type { FoldedStacks } from '../stacks/folded.ts';

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

export function toSpeedscope(stacks: FoldedStacks, options: { name: string }): SpeedscopeFile {
  const frames: SpeedscopeFrame[] = [];
  const index = new Map<string, number>();
  const samples: number[][] = [];
  const weights: number[] = [];
  let total = 0;
  // Sorted stacks make the file the same for the same profile, whatever order the map was filled in.
  for (const stack of [...stacks.keys()].sort(compareCodePoints)) {
    const weight = stacks.get(stack) ?? 0;
    if (!(weight > 0)) continue;
    samples.push(
      stack.split(';').map((name) => {
        let i = index.get(name);
        if (i === undefined) {
          i = frames.length;
          frames.push({ name });
          index.set(name, i);
        }
        return i;
      }),
    );
    weights.push(weight);
    total += weight;
  }
  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames },
    profiles: [
      { type: 'sampled', name: options.name, unit: 'none', startValue: 0, endValue: total, samples, weights },
    ],
    name: options.name,
    activeProfileIndex: 0,
    exporter: 'furnace',
  };
}
