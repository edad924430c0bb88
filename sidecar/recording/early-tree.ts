// The compact flame tree before the rest of a recording's views: a profiler that has it early (perf, from
// its collapser's trie) writes it through its RunContext while the stacks are still to be joined, and
// the stage log marks its arrival, since the record page draws it from then on.
import type { RunContext } from '../profilers/profiler.ts';
import type { RecordingEvent } from '../recording-events.ts';
import { writeFlameTree, type RenderDeps } from './render-artifacts.ts';

/** A profiler's RunContext whose writeTree writes flame-tree.bin.gz at once; `written` is told first. */
export function treeWritingContext(deps: RenderDeps, dir: string, written: () => void): RunContext {
  return {
    report: (event) => deps.report(event),
    writeTree: async (tree) => {
      written();
      await writeFlameTree(deps, dir, tree);
    },
  };
}

/** Events that go to the log as "recording stage" lines: each stage, the tree's arrival, and the end. */
export function isStageEvent(event: RecordingEvent): boolean {
  if (event.type === 'artifact') return event.name === 'flame-tree.bin.gz';
  return event.type === 'stage' || event.type === 'done';
}
