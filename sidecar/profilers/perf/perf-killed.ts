// What a recording keeps when perf did not finish perf.data after its SIGINT and had to be killed: the
// samples perf had written by then (perf-flush.ts has it write them out every second), with a warning
// that says where perf was stuck; or, when it had written none, a failure that says the same.
import { isWholePerfData } from './perf-data-header.ts';
import { sealPerfData } from './perf-data-seal.ts';

export interface PerfKill {
  /** How long perf had after the SIGINT, ms. */
  afterMs: number;
  /** Where perf was when it was killed (perf-stuck.ts), when /proc said. */
  stuck: string | undefined;
  /** false: perf had not exited a while after SIGKILL either, and the recording ended without it. */
  exited: boolean;
}

export type KillVerdict = { ok: true; warning: string } | { ok: false; failure: string };

/** Seals `outputFile` (perf-data-seal.ts) and says what the recording keeps of it. */
export async function judgeKill(outputFile: string, kill: PerfKill): Promise<KillVerdict> {
  const seconds = Math.round(kill.afterMs / 100) / 10;
  const where = kill.stuck === undefined ? '' : ` (it was ${kill.stuck})`;
  const gone = kill.exited ? '' : ' (it had not exited 5 s later: the recording ends without it)';
  const what = `perf record did not finish perf.data within ${seconds} s of its SIGINT${where} and was killed${gone}`;
  if (await isWholePerfData(outputFile))
    return { ok: true, warning: `${what}, although it had written perf.data out whole` };
  const sealed = await sealPerfData(outputFile);
  if (sealed === undefined)
    return { ok: false, failure: `${what}; it had not begun perf.data (it was still starting)` };
  if (sealed.samples === 0) return { ok: false, failure: `${what}; perf.data held no samples to keep` };
  return {
    ok: true,
    warning: `${what}; the recording keeps the ${sealed.samples} samples perf had written by then (it writes them out every second), without perf's closing notes (build ids, host details)`,
  };
}
