// What a recording of local mode recorded, as the key its baseline is pinned under and later recordings
// are matched by: local mode profiles this machine's processes, so there is no workload to name, only the
// process pattern the recording was started with, or (started by PID) the command of the process it
// recorded, or the whole machine. Shared by the server (which pins and matches) and the UI (which says
// what a pin is for). Pure.
import type { CatalogEntry } from '../contract/recording.ts';

/** A baseline key of local mode and its words: `pattern/furnace-hot`, `processes matching /furnace-hot/`. */
export interface RecordedProgram {
  key: string;
  label: string;
}

const KINDS = {
  pattern: (rest: string) => `processes matching /${rest}/`,
  command: (rest: string) => `the command ${rest}`,
  system: () => 'the whole machine',
} as const;

type ProgramKind = keyof typeof KINDS;

const program = (kind: ProgramKind, rest: string): RecordedProgram => ({
  key: `${kind}/${rest}`,
  label: KINDS[kind](rest),
});

/**
 * The key of what `entry` recorded: its process pattern, else the command names of its targets (sorted,
 * comma-separated), else the whole machine for a system-wide recording; undefined when it says none.
 */
export function recordedProgramOf(
  entry: Pick<CatalogEntry, 'params' | 'targets'>,
): RecordedProgram | undefined {
  const { processPattern, systemWide } = entry.params;
  if (processPattern !== undefined) return program('pattern', processPattern);
  if (systemWide) return program('system', 'all');
  const commands = [...new Set((entry.targets ?? []).map((target) => target.comm))].sort();
  return commands.length > 0 ? program('command', commands.join(',')) : undefined;
}

/** A pinned key in words: a local one as recordedProgramOf says it, a workload (`deployment/web`) as it is. */
export function describeBaselineKey(key: string): string {
  const slash = key.indexOf('/');
  const kind = key.slice(0, slash);
  return Object.hasOwn(KINDS, kind) ? KINDS[kind as ProgramKind](key.slice(slash + 1)) : key;
}
