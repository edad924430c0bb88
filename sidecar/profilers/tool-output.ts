// What the profilers' command-line tools (perf, bpftrace) leave on stderr, as a recording's error shows it.

/** The last part of a tool's stderr, without its progress noise. */
export function stderrExcerpt(stderr: string, max = 600): string {
  const text = stderr.trim();
  return text.length <= max ? text : `…${text.slice(-max)}`;
}

/** What to add to a tool's stderr when it could not be started: how to install it, or the error. */
export function spawnFailureNote(error: Error | undefined, tool: string, debianPackage: string): string {
  if (error === undefined) return '';
  const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
  return missing
    ? `\n${tool} is not installed or not on PATH (Debian and Ubuntu: apt-get install ${debianPackage})`
    : `\n${error.message}`;
}
