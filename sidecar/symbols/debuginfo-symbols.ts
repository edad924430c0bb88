// Debug files by build id for the binaries a recording sampled that have no symbol table of their own
// (stripped): each goes into the recording's perf build-id cache as the build id's `debug` file, which
// perf script reads for symbols while it still maps addresses through the binary that ran.
//
// Why perf's cache and not symbolizing ourselves: this perf is built without libdebuginfod, but it reads
// `<buildid-dir>/.build-id/xx/yyyy/debug` for any build id (perf's own layout), so one file in the right
// place names every frame of that binary, inlined callers and Go's frames included, with the same text and
// the same collapser as every other frame. Furnace fetches; perf symbolizes.
import { link, copyFile, mkdir, readlink, realpath, rm, symlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { readElfFacts } from './elf-facts.ts';
import { parseBuildIdList } from './image-symbols.ts';
import type { DebugInfoSource } from './debuginfo-cache.ts';
import type { RunCommand } from '../host/runtime.ts';

export interface DebugInfoResult {
  /** Binaries that got a debug file: path as recorded, and where the file came from. */
  added: { path: string; buildId: string; origin: string }[];
  /** Stripped binaries for which no source had a debug file, with why. */
  missing: { path: string; buildId: string; why: string }[];
}

/** The file perf named for a build id: its copy in the cache, else the path itself (same mount namespace). */
async function needsDebugInfo(buildIdDir: string, buildId: string, path: string): Promise<boolean> {
  const cached = join(buildIdDir, '.build-id', buildId.slice(0, 2), buildId.slice(2), 'elf');
  for (const candidate of [cached, path]) {
    const facts = await readElfFacts(candidate).catch(() => undefined);
    if (facts !== undefined && facts.buildId === buildId) return !facts.hasSymbolTable;
  }
  // Neither the cached copy nor the path is that binary: nothing names its frames, so a debug file helps.
  return true;
}

/**
 * The directory perf reads for the build id, made when perf record cached nothing for it. Only a
 * directory inside the cache is used: the link perf made is followed, and a link out of it is replaced.
 */
async function entryDir(buildIdDir: string, buildId: string): Promise<string> {
  const root = await realpath(buildIdDir);
  const linkPath = join(root, '.build-id', buildId.slice(0, 2), buildId.slice(2));
  const target = await readlink(linkPath).catch(() => undefined);
  if (target !== undefined) {
    const dir = await realpath(resolve(dirname(linkPath), target)).catch(() => undefined);
    if (dir !== undefined && dir.startsWith(root + sep)) return dir;
    await rm(linkPath, { force: true });
  }
  const dir = join(root, '.debuginfo', buildId);
  await mkdir(dir, { recursive: true });
  await mkdir(dirname(linkPath), { recursive: true });
  await symlink(relative(dirname(linkPath), dir), linkPath);
  return dir;
}

/** Puts `file` at `dest`: a hard link where it can (no bytes written), else a copy. */
async function place(file: string, dest: string): Promise<void> {
  await rm(dest, { force: true });
  await link(file, dest).catch(() => copyFile(file, dest));
}

/** Adds a debug file for each stripped binary that perf.data names and the source has. */
export async function addDebugInfo(
  run: RunCommand,
  options: { perfPath: string; dataFile: string; buildIdDir: string; source: DebugInfoSource },
): Promise<DebugInfoResult> {
  const listed = await run(options.perfPath, [
    '--buildid-dir',
    options.buildIdDir,
    'buildid-list',
    '-i',
    options.dataFile,
  ]);
  const result: DebugInfoResult = { added: [], missing: [] };
  await mkdir(options.buildIdDir, { recursive: true });
  for (const { buildId, path } of parseBuildIdList(listed.stdout)) {
    if (!(await needsDebugInfo(options.buildIdDir, buildId, path))) continue;
    const found = await options.source.find(buildId);
    if (!found.found) {
      result.missing.push({ path, buildId, why: found.why });
      continue;
    }
    await place(found.path, join(await entryDir(options.buildIdDir, buildId), 'debug'));
    result.added.push({ path, buildId, origin: found.origin });
  }
  return result;
}
