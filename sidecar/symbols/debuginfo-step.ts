// The symbol step for stripped binaries in a stopped recording: debug files by build id into its build-id
// cache (debuginfo-symbols.ts), and what the recording's status says about them.
import { addDebugInfo, type DebugInfoResult } from './debuginfo-symbols.ts';
import type { DebugInfoSource } from './debuginfo-cache.ts';
import type { RecordingEvent } from '../recording-events.ts';
import type { RunCommand } from '../host/runtime.ts';

/** At most this many binaries are named in one warning; the rest are counted. */
const NAMED = 3;

function listed(items: readonly { path: string }[]): string {
  const names = items.slice(0, NAMED).map((item) => item.path);
  const more = items.length - names.length;
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}

/**
 * A shared library by its name. Distribution libraries ship without .symtab but name their exported
 * functions through .dynsym, so one without a debug file is not worth a warning on every recording.
 */
const SHARED_LIBRARY = /\.so(\.[0-9][^/]*)?$/;

/**
 * Warnings for a recording: which stripped binaries got their names from where, and which programs stay
 * nameless (libraries without a debug file are left out: see SHARED_LIBRARY).
 */
export function debugInfoWarnings(result: DebugInfoResult): string[] {
  const warnings: string[] = [];
  const origins = new Map<string, { path: string }[]>();
  for (const item of result.added) origins.set(item.origin, [...(origins.get(item.origin) ?? []), item]);
  for (const [origin, items] of origins) {
    const from = origin === 'cache' ? 'the recorder’s debuginfod cache' : origin;
    warnings.push(`symbols of stripped ${listed(items)} from ${from}`);
  }
  const programs = result.missing.filter((item) => !SHARED_LIBRARY.test(item.path));
  if (programs.length > 0) {
    const first = programs[0];
    warnings.push(
      `no debug file for stripped ${listed(programs)}` +
        (first === undefined ? '' : ` (build id ${first.buildId}: ${first.why})`),
    );
  }
  return warnings;
}

/** Adds debug files for the recording's stripped binaries and reports what it did; never fails the recording. */
export async function symbolizeStripped(
  run: RunCommand,
  report: (event: RecordingEvent) => void,
  input: { perfPath: string; dataFile: string; buildIdDir: string; source: DebugInfoSource },
): Promise<DebugInfoResult> {
  try {
    const result = await addDebugInfo(run, input);
    for (const message of debugInfoWarnings(result)) report({ type: 'warning', kind: 'symbols', message });
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    report({
      type: 'warning',
      kind: 'symbols',
      message: `debug files for stripped binaries were not added: ${message}`,
    });
    return { added: [], missing: [] };
  }
}
