// perf script's failure as a recording's error shows it, and the warning of one that ended well without
// some lines. perf script starts addr2line for a binary's source lines and inline frames; when addr2line
// cannot read that binary (one in another pod's mount namespace, one replaced since the recording), perf
// names it on stderr in its own shorthand, which the error or the warning puts into words.
import { stderrExcerpt } from '../tool-output.ts';

/** perf's lines about an addr2line that failed it: `addr2line <binary>: <what>` and the start failure. */
const ADDR2LINE_LINES = [
  /^addr2line (?<binary>.+): (?<what>could not read first record|could not send request|addr2line_subprocess_init failed)$/m,
  /^could not start addr2line for (?<binary>.+): (?<what>start_command return code -?\d+)$/m,
];

/** The binary addr2line failed on, and how, from perf script's stderr; null when it names none. */
export function addr2lineFailure(stderr: string): { binary: string; what: string } | null {
  for (const pattern of ADDR2LINE_LINES) {
    const groups = pattern.exec(stderr)?.groups;
    if (groups?.binary !== undefined && groups.what !== undefined)
      return { binary: groups.binary, what: groups.what };
  }
  return null;
}

/**
 * The error of a perf script that ended without its text: how it ended (`exit 1`, `killed by SIGPIPE`),
 * which binary addr2line could not read when perf says so, and the end of its stderr.
 */
export function scriptFailureMessage(how: string, stderr: string): string {
  const failed = addr2lineFailure(stderr);
  const why =
    failed === null
      ? ''
      : `; addr2line could not read ${failed.binary} for its source lines (perf: ${failed.what})`;
  return `perf script failed (${how})${why}: ${stderrExcerpt(stderr)}`;
}

/** The warning of a perf script that ended well although addr2line failed it on a binary; null: it did not. */
export function addr2lineWarning(stderr: string): string | null {
  const failed = addr2lineFailure(stderr);
  if (failed === null) return null;
  return `addr2line could not read ${failed.binary} (perf: ${failed.what}): its frames are named by symbol, without source lines or inline functions`;
}
