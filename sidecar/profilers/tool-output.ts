// What the profilers' command-line tools (perf, bpftrace) leave on stderr, as a recording's error shows it.

/** The last part of a tool's stderr, without its progress noise. */
export function stderrExcerpt(stderr: string, max = 600): string {
  const text = stderr.trim();
  if (text.length <= max) return text;
  // The end of the text, from the start of a line (or of a word) within it: never half a word.
  const tail = text.slice(-max);
  const line = tail.indexOf('\n');
  const word = tail.search(/\s/);
  const from = line >= 0 && line < max / 2 ? line + 1 : word >= 0 ? word + 1 : 0;
  return `…${tail.slice(from).trimStart()}`;
}

/** What to add to a tool's stderr when it could not be started: how to install it, or the error. */
export function spawnFailureNote(error: Error | undefined, tool: string, debianPackage: string): string {
  if (error === undefined) return '';
  const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
  return missing
    ? `\n${tool} is not installed or not on PATH (Debian and Ubuntu: apt-get install ${debianPackage})`
    : `\n${error.message}`;
}
