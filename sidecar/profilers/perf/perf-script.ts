// After perf stops: perf script streamed into the collapser (core/stacks/collapse-perf.ts), with the
// image's binaries added for symbols first and perf.script kept only while the disk budget has room.
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { collapseRecording } from '../../../core/stacks/collapse-perf.ts';
import { compactTreeOfTrie } from '../../../core/render/flame-tree-trie.ts';
import type { CompactFlameTree } from '../../../core/render/flame-tree-compact.ts';
import type { FoldedStacks } from '../../../core/stacks/folded.ts';
import type { TimedSamples } from '../../../core/stacks/timeline.ts';

/** perf's samples summed up (the flame graph's) and in the order taken (speedscope's Time Order). */
export interface ScriptedStacks {
  stacks: FoldedStacks;
  timeline: TimedSamples;
}
import type { RecordingEvent } from '../../recording-events.ts';
import type { KernelSymbols } from '../../symbols/kernel-symbols.ts';
import { launchPerfScript, type LaunchedScript, type PreparedScript } from './perf-script-launch.ts';
import { isWholePerfData } from './perf-data-header.ts';
import { renderReserve, type DiskBudget } from '../../host/disk-budget.ts';
import type { RunCommand, SpawnFn } from '../../host/runtime.ts';
import { addImageBinaries } from '../../symbols/image-symbols.ts';
import { symbolizeStripped } from '../../symbols/debuginfo-step.ts';
import type { DebugInfoSource } from '../../symbols/debuginfo-cache.ts';
import { addr2lineWarning, scriptFailureMessage } from './perf-script-failure.ts';

export interface PipelineDeps {
  spawn: SpawnFn;
  run: RunCommand;
  report(event: RecordingEvent): void;
  /** Asked before perf.script, image symbols and each artifact go to disk. */
  budget: Pick<DiskBudget, 'free'>;
  /** Writes the compact flame tree, once the collapser has every stack (RunContext.writeTree). */
  writeTree?: (tree: CompactFlameTree) => Promise<void>;
}

export interface PipelineInput {
  perfPath: string;
  dir: string;
  /** perf's build-id cache for this recording (filled by perf record, and from the image). */
  buildIdDir: string;
  /** The targets' binaries at their paths, for perf script's --symfs (perf-symfs.ts). */
  symfsDir?: string;
  /** Root of the mounted target image whose binaries resolve symbols (`symbols: image`). */
  imageRoot?: string;
  /** The most perf.script may hold, like every artifact (limits.maxArtifactBytes); past it, it is dropped. */
  maxScriptBytes?: number;
  /** The copy of the kernel's symbols perf script reads instead of /proc/kallsyms, when there is one. */
  kernelSymbols?: KernelSymbols;
  /** perf script started ahead (perfScriptCommandFor this input's files); else it is started here. */
  prepared?: PreparedScript;
  /** Debug files by build id for stripped binaries (debuginfod), when the recorder has a source. */
  debugInfo?: DebugInfoSource;
}

/** Fields without the period, so the folded counts are samples rather than summed nanoseconds of cpu-clock. */
export const PERF_SCRIPT_FIELDS = 'comm,pid,tid,time,event,ip,sym,dso';

export function perfScriptArgs(dataFile: string, buildIdDir: string, symfsDir?: string): string[] {
  const symfs = symfsDir === undefined ? [] : ['--symfs', symfsDir];
  return ['--buildid-dir', buildIdDir, 'script', '-i', dataFile, ...symfs, '-F', PERF_SCRIPT_FIELDS];
}

const TEXT_PER_DATA_BYTE = 3;

/** coreutils' stdbuf where the image has it (Debian always does). */
const STDBUF = ['/usr/bin/stdbuf', '/bin/stdbuf'].find((path) => existsSync(path)) ?? null;

/**
 * The perf script command line. perf writes its text through stdio, 4 KiB per write into a pipe;
 * with `stdbuf -o 64K` it writes a pipe's capacity at a time: perf script's CPU falls by about 15 % and
 * the collapser still reads while perf writes (1 MiB writes cut the CPU as much but left the collapser
 * waiting, 2.3 s to the graph against 1.8–2.0 s; bench:stop). Without stdbuf, perf runs as it is.
 */
export function perfScriptCommand(
  perfPath: string,
  args: string[],
  stdbuf: string | null = STDBUF,
): { command: string; args: string[] } {
  if (stdbuf === null) return { command: perfPath, args };
  return { command: stdbuf, args: ['-o', '64K', perfPath, ...args] };
}

/** A recording's perf script command (started as it goes, or ahead: perf-script-launch.ts). */
export function perfScriptCommandFor(
  perfPath: string,
  dataFile: string,
  buildIdDir: string,
  symfsDir?: string,
): { command: string; args: string[] } {
  return perfScriptCommand(perfPath, perfScriptArgs(dataFile, buildIdDir, symfsDir));
}

/** perf.script as it is written: whether it is kept, and its end on disk (set once perf script's text ended). */
interface ScriptFile {
  kept: boolean;
  /** The file closed (and removed when not kept); the flame tree does not wait for it. */
  closed?: Promise<void>;
}

/**
 * Passes perf script's output on to the collapser while writing it to disk (the `perf.script` artifact),
 * as long as it stays within `maxBytes`; past that the file is dropped and the collapser still gets
 * every line. `kept.kept` says whether the file was kept. `maxBytes` may still be on its way (the disk
 * budget is read while perf script starts). The generator ends with perf script's text, not with the
 * file's last write: what is still on its way to the disk then (tens of ms under load, bench:stop-to-graph)
 * is awaited through `kept.closed`, after the tree.
 */
async function* teeToFile(
  source: Readable,
  path: string,
  limit: Promise<number>,
  kept: ScriptFile,
): AsyncGenerator<Buffer> {
  const file = createWriteStream(path);
  let written = 0;
  const maxBytes = await limit.catch(async (error: unknown) => {
    file.end();
    await rm(path, { force: true });
    throw error;
  });
  try {
    for await (const chunk of source) {
      const bytes = chunk as Buffer;
      if (kept.kept && written + bytes.length > maxBytes) kept.kept = false;
      if (kept.kept) {
        written += bytes.length;
        if (!file.write(bytes)) await once(file, 'drain');
      }
      yield bytes;
    }
  } finally {
    file.end();
    kept.closed = finished(file).then(async () => {
      if (!kept.kept) await rm(path, { force: true });
    });
    // Read once the tree is written; a failed collapse never reads it.
    kept.closed.catch(() => {});
  }
}

/**
 * How many times perf script runs before its death by a signal fails the recording. A signal is not perf
 * script's verdict on perf.data (a Ctrl-C that reached it, an OOM kill): while perf.data is whole, it is
 * run again.
 */
export const SCRIPT_RUNS = 3;

/**
 * The kernel's symbols for perf script: the kept copy; else, with --symfs, /proc/kallsyms named outright
 * (perf would look for it inside the tree and leave every kernel frame unknown).
 */
async function kernelSymbolsFor(input: PipelineInput): Promise<string | undefined> {
  const copy = await input.kernelSymbols?.();
  return copy ?? (input.symfsDir === undefined ? undefined : '/proc/kallsyms');
}

/** perf script streamed into the collapser: memory bounded by the unique stacks, one pass over the text. */
async function scriptAndCollapse(
  deps: PipelineDeps,
  input: PipelineInput,
  script: { maxBytes: Promise<number>; kept: ScriptFile },
): Promise<ScriptedStacks> {
  const perfData = `${input.dir}/perf.data`;
  // perf script's text is about 2.5 times perf.data with frame-pointer stacks (less with DWARF's): a
  // small recording's collapser starts with small tables.
  const [kallsyms, dataBytes] = await Promise.all([
    kernelSymbolsFor(input),
    stat(perfData).then(
      (s) => s.size,
      () => undefined,
    ),
  ]);
  const expectedBytes = dataBytes === undefined ? undefined : TEXT_PER_DATA_BYTE * dataBytes;
  const launch = (): LaunchedScript =>
    launchPerfScript(
      deps.spawn,
      perfScriptCommandFor(input.perfPath, perfData, input.buildIdDir, input.symfsDir),
      kallsyms,
    );
  for (let run = 1; ; run += 1) {
    const launched = run === 1 && input.prepared !== undefined ? input.prepared.go(kallsyms) : launch();
    const { collapser, code } = await collapseOutput(launched, input.dir, script, expectedBytes);
    if (code === 0) {
      const unread = addr2lineWarning(launched.stderr());
      if (unread !== null) deps.report({ type: 'warning', kind: 'symbols', message: unread });
      // The tree the UI draws first, from the collapser's trie, before any stack is joined into text.
      const trie = collapser.endTrie();
      await deps.writeTree?.(compactTreeOfTrie(trie));
      return { stacks: trie.folded(), timeline: collapser.timeline() as TimedSamples };
    }
    const signal = launched.signal();
    if (signal !== null && run < SCRIPT_RUNS && (await isWholePerfData(perfData))) {
      // The text of the run that died is dropped: perf.script is written again from its start.
      await script.kept.closed;
      script.kept.kept = true;
      continue;
    }
    const how = signal === null ? `exit ${code ?? '?'}` : `killed by ${signal}`;
    throw new Error(scriptFailureMessage(how, launched.stderr()));
  }
}

/** One run of perf script: its text teed to perf.script and collapsed, and its exit code. */
async function collapseOutput(
  launched: LaunchedScript,
  dir: string,
  script: { maxBytes: Promise<number>; kept: ScriptFile },
  expectedBytes: number | undefined,
): Promise<{ collapser: Awaited<ReturnType<typeof collapseRecording>>; code: number | null }> {
  const { child, exited } = launched;
  if (child.stdout === null) throw new Error('perf script has no stdout');
  const [collapser, code] = await Promise.all([
    collapseRecording(
      teeToFile(child.stdout, `${dir}/perf.script`, script.maxBytes, script.kept),
      expectedBytes,
    ),
    exited,
  ]).catch((error: unknown) => {
    child.kill('SIGKILL'); // a reader that gave up must not leave perf script blocked on its pipe
    throw error;
  });
  return { collapser, code };
}

/**
 * Runs perf script into the collapser, keeping perf.script only while it stays within its cap
 * (maxScriptBytes) and the disk budget has room for it.
 */
async function scriptWithinBudget(deps: PipelineDeps, input: PipelineInput): Promise<ScriptedStacks> {
  // Read while perf script starts (walking the recordings took 20 ms here, on the way to the graph).
  const cap = input.maxScriptBytes ?? Number.POSITIVE_INFINITY;
  const budget = deps.budget.free().then((free) => {
    const room = Math.max(0, free - renderReserve(free));
    return { room, maxBytes: Math.min(room, cap) };
  });
  const kept: ScriptFile = { kept: true };
  const scripted = await scriptAndCollapse(deps, input, {
    maxBytes: budget.then((b) => b.maxBytes),
    kept,
  });
  await kept.closed;
  const { room, maxBytes } = await budget;
  if (kept.kept) deps.report({ type: 'artifact', name: 'perf.script' });
  else {
    const why = cap < room ? 'the limit (maxArtifactBytes)' : 'what the disk budget left for it';
    deps.report({
      type: 'warning',
      message: `perf.script was not kept: it passed ${maxBytes} bytes, ${why} (the flame graph has every sample)`,
    });
  }
  return scripted;
}

/** Turns a stopped recording's perf.data into folded stacks (keeping perf.script within the budget). */
export async function scriptRecording(deps: PipelineDeps, input: PipelineInput): Promise<ScriptedStacks> {
  deps.report({ type: 'artifact', name: 'perf.data' });
  deps.report({ type: 'stage', stage: 'script' });
  if (input.imageRoot !== undefined) {
    const added = await addImageBinaries(deps.run, {
      perfPath: input.perfPath,
      root: input.imageRoot,
      dataFile: `${input.dir}/perf.data`,
      buildIdDir: input.buildIdDir,
      fits: async (bytes) => bytes <= (await deps.budget.free()),
    });
    if (added.added === 0)
      deps.report({
        type: 'warning',
        kind: 'symbols',
        message: 'symbols from the image: no recorded binary was found in it',
      });
    if (added.skippedBytes > 0)
      deps.report({
        type: 'warning',
        kind: 'symbols',
        message: `symbols from the image: ${added.skippedBytes} bytes of binaries left out to stay within the disk budget`,
      });
  }
  if (input.debugInfo !== undefined)
    await symbolizeStripped(deps.run, (event) => deps.report(event), {
      perfPath: input.perfPath,
      dataFile: `${input.dir}/perf.data`,
      buildIdDir: input.buildIdDir,
      source: input.debugInfo,
    });
  return scriptWithinBudget(deps, input);
}
