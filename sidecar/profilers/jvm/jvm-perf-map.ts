// Java without restart: before perf script, each JVM among the recorded processes is asked for its perf
// map (`Compiler.perfmap`, JDK 17+), which it writes to /tmp/perf-<nspid>.map in its own /tmp; jit-maps.ts
// copies it from there to where perf script looks. A JVM that cannot or will not answer costs a warning,
// never the recording: its compiled methods then show as addresses.
import { readFile } from 'node:fs/promises';
import { AttachError, runJvmCommand, type AttachOptions } from './jvm-attach.ts';
import { procDirOf } from '../../host/live-task.ts';
import type { ProcessInfo } from '../../host/process-select.ts';

/** A JVM maps libjvm.so, whatever its launcher is called. */
export function mapsLibjvm(mapsText: string): boolean {
  return /\/libjvm\.so(\s|$)/m.test(mapsText);
}

async function isJvm(pid: number, procRoot: string): Promise<boolean> {
  const maps = await readFile(`${await procDirOf(pid, procRoot)}/maps`, 'utf8').catch(() => '');
  return mapsLibjvm(maps);
}

/** Why a JVM gave no map, as the status says it. */
export function perfMapWarning(target: Pick<ProcessInfo, 'pid' | 'comm'>, reason: string): string {
  const old = /Unknown diagnostic command/.test(reason) ? ' (Compiler.perfmap needs JDK 17 or newer)' : '';
  return `JVM ${target.comm} (pid ${target.pid}) gave no perf map${old}, so its JIT-compiled methods show as addresses: ${reason}`;
}

/** Asks every JVM among the targets for its perf map; returns a warning per JVM that did not write one. */
export async function requestJvmPerfMaps(
  targets: readonly ProcessInfo[],
  options: AttachOptions = {},
): Promise<string[]> {
  const procRoot = options.procRoot ?? '/proc';
  const warnings: string[] = [];
  for (const target of targets) {
    if (!(await isJvm(target.pid, procRoot))) continue;
    try {
      await runJvmCommand({ pid: target.pid, nspid: target.nspid }, 'Compiler.perfmap', options);
    } catch (error) {
      const reason =
        error instanceof AttachError ? error.message : `attach failed: ${(error as Error).message}`;
      warnings.push(perfMapWarning(target, reason));
    }
  }
  return warnings;
}
