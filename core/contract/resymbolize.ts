// A finished recording symbolized again (docs/profilers.md, "Symbolizing a recording again"): which
// recordings its recorder can do it for, and the warning that says how it ended. The recorder writes that
// warning on the recording, the catalog keeps it, and the CLI and the web UI read it back; the route itself
// answers at once (202). That warning is the recording's one statement about its symbols from then on: the
// recorder drops what it said about them before, and its diagnoses, for those of the new graphs. Pure.
import type { RecordingStatus } from './recording.ts';

/** The warning's start when the new graphs are in place: `symbolized again at <ISO time>[: what it used]`. */
export const RESYMBOLIZED = 'symbolized again at ';
/** The warning's start when they are not (the graphs are as they were): `…: <why>`. */
export const RESYMBOLIZE_FAILED = 'symbolizing again failed';

export function resymbolizedWarning(at: string, said: readonly string[]): string {
  return `${RESYMBOLIZED}${at}${said.length > 0 ? `: ${said.join('; ')}` : ''}`;
}

export function resymbolizeFailedWarning(message: string): string {
  return `${RESYMBOLIZE_FAILED} (the graphs are as they were): ${message}`;
}

/**
 * Whether a recording, as its recorder states it, can be symbolized again: a finished perf recording that
 * kept its perf.data there. The recorder may still refuse for now (another recording runs) and says why.
 */
export function isResymbolizable(status: Pick<RecordingStatus, 'state' | 'profiler' | 'artifacts'>): boolean {
  return (
    status.state === 'done' &&
    (status.profiler ?? 'perf') === 'perf' &&
    status.artifacts.includes('perf.data')
  );
}

export interface ResymbolizeOutcome {
  ok: boolean;
  /** The warning as the recorder wrote it. */
  message: string;
}

/**
 * How symbolizing again ended, from the recording's warnings now and those it had when it was asked: the
 * first outcome warning that was not there before (each carries its own time or reason, so a cap on the
 * list that drops old ones does not hide a new one), or undefined while it runs.
 */
export function resymbolizeOutcome(
  before: readonly string[],
  now: readonly string[],
): ResymbolizeOutcome | undefined {
  const earlier = new Set(before);
  for (const message of now) {
    if (earlier.has(message)) continue;
    if (message.startsWith(RESYMBOLIZED)) return { ok: true, message };
    if (message.startsWith(RESYMBOLIZE_FAILED)) return { ok: false, message };
  }
  return undefined;
}
