import type { RunCommand } from '../host/runtime.ts';
// `perf buildid-cache --add`, the one way binaries enter a recording's build-id cache.

/**
 * Adds a binary to perf's build-id cache in `buildIdDir`; true when perf took it. perf exits 0 even when
 * it could not add the file, so its output is read too.
 */
export async function addToBuildIdCache(
  run: RunCommand,
  options: { perfPath: string; buildIdDir: string },
  file: string,
): Promise<boolean> {
  const result = await run(options.perfPath, [
    '--buildid-dir',
    options.buildIdDir,
    'buildid-cache',
    '--add',
    file,
  ]);
  return result.code === 0 && !/FAIL|Couldn't/.test(result.stderr + result.stdout);
}
