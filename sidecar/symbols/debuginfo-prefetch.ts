// Debug files fetched while perf records: the stripped executables the targets have mapped are known at
// the start, so their debug files are asked for then, and the stop finds them in the recorder's cache
// (a 50 MB debug file took the stop → graph time to 5× the local-symbols recording when fetched after it).
import { readFile } from 'node:fs/promises';
import { parseExecutableMappings } from './binary-cache.ts';
import { readElfFacts } from './elf-facts.ts';
import { resolveInRoot } from '../host/safe-copy.ts';
import { procDirOf } from '../host/live-task.ts';
import type { DebugInfoSource } from './debuginfo-cache.ts';

/** Build ids of the targets' mapped executables that have no symbol table, each once. */
export async function strippedBuildIds(pids: readonly number[], procRoot = '/proc'): Promise<string[]> {
  const ids = new Set<string>();
  for (const pid of pids) {
    const dir = await procDirOf(pid, procRoot);
    const maps = await readFile(`${dir}/maps`, 'utf8').catch(() => '');
    for (const path of parseExecutableMappings(maps)) {
      // Inside the target's root, links resolved there; a FIFO or device is never opened (elf-facts.ts).
      const facts = await resolveInRoot(`${dir}/root`, path)
        .then((file) => readElfFacts(file))
        .catch(() => undefined);
      if (facts?.buildId !== undefined && !facts.hasSymbolTable) ids.add(facts.buildId);
    }
  }
  return [...ids];
}

/** Asks the source for every stripped executable of the targets; never fails (the stop asks again). */
export async function prefetchDebugInfo(
  source: DebugInfoSource | undefined,
  pids: readonly number[] | 'system-wide',
): Promise<void> {
  if (source === undefined || pids === 'system-wide') return;
  const ids = await strippedBuildIds(pids).catch(() => [] as string[]);
  await Promise.all(ids.map((id) => source.prefetch(id).catch(() => undefined)));
}
