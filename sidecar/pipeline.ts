// After perf stops: perf script → folded stacks → SVG, HTML and speedscope, every file written to the recording's dir.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { collapsePerfScript } from '../core/stacks/collapse-perf.ts';
import { formatFolded, totalSamples } from '../core/stacks/folded.ts';
import type { FoldedStacks } from '../core/stacks/collapse-perf.ts';
import { renderFlameGraphSvg } from '../core/render/svg.ts';
import { renderFlameGraphHtml } from '../core/render/html.ts';
import { toSpeedscope } from '../core/render/speedscope.ts';
import type { RecordingEvent } from './recording-machine.ts';
import type { SpawnFn } from './perf-runner.ts';
import { stderrExcerpt } from './perf-runner.ts';
import { addImageBinaries, type RunCommand } from './image-symbols.ts';

export interface PipelineDeps {
  spawn: SpawnFn;
  run: RunCommand;
  report(event: RecordingEvent): void;
}

export interface PipelineInput {
  perfPath: string;
  dir: string;
  /** perf's build-id cache for this recording (filled by perf record, and from the image). */
  buildIdDir: string;
  /** Root of the mounted target image whose binaries resolve symbols (`symbols: image`). */
  imageRoot?: string;
  title: string;
  subtitle: string;
  name: string;
}

/** Fields without the period, so the folded counts are samples rather than summed nanoseconds of cpu-clock. */
export const PERF_SCRIPT_FIELDS = 'comm,pid,tid,time,event,ip,sym,dso';

export function perfScriptArgs(dataFile: string, buildIdDir: string): string[] {
  return ['--buildid-dir', buildIdDir, 'script', '-i', dataFile, '-F', PERF_SCRIPT_FIELDS];
}

/** Passes perf script's output on to the collapser while writing it to disk (the `perf.script` artifact). */
async function* teeToFile(source: Readable, path: string): AsyncGenerator<Buffer> {
  const file = createWriteStream(path);
  try {
    for await (const chunk of source) {
      if (!file.write(chunk)) await once(file, 'drain');
      yield chunk as Buffer;
    }
  } finally {
    file.end();
    await finished(file);
  }
}

/** perf script streamed into the collapser: memory bounded by the unique stacks, one pass over the text. */
async function scriptAndCollapse(deps: PipelineDeps, input: PipelineInput): Promise<FoldedStacks> {
  const child = deps.spawn(input.perfPath, perfScriptArgs(`${input.dir}/perf.data`, input.buildIdDir), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code: number | null) => resolve(code));
  });
  if (child.stdout === null) throw new Error('perf script has no stdout');
  const [stacks, code] = await Promise.all([
    collapsePerfScript(teeToFile(child.stdout, `${input.dir}/perf.script`)),
    exited,
  ]).catch((error: unknown) => {
    child.kill('SIGKILL'); // a reader that gave up must not leave perf script blocked on its pipe
    throw error;
  });
  if (code !== 0) throw new Error(`perf script failed (exit ${code ?? 'signal'}): ${stderrExcerpt(stderr)}`);
  return stacks;
}

/** Turns a stopped recording's perf.data into every artifact; the sample count goes out as an event. */
export async function renderRecording(deps: PipelineDeps, input: PipelineInput): Promise<void> {
  deps.report({ type: 'artifact', name: 'perf.data' });
  deps.report({ type: 'stage', stage: 'script' });
  if (input.imageRoot !== undefined) {
    const added = await addImageBinaries(deps.run, {
      perfPath: input.perfPath,
      root: input.imageRoot,
      dataFile: `${input.dir}/perf.data`,
      buildIdDir: input.buildIdDir,
    });
    if (added === 0)
      deps.report({ type: 'warning', message: 'symbols from the image: no recorded binary was found in it' });
  }
  const stacks = await scriptAndCollapse(deps, input);
  deps.report({ type: 'artifact', name: 'perf.script' });

  deps.report({ type: 'stage', stage: 'collapse' });
  await writeFile(`${input.dir}/stacks.folded`, formatFolded(stacks));
  deps.report({ type: 'artifact', name: 'stacks.folded' });
  deps.report({ type: 'samples', samples: totalSamples(stacks) });

  deps.report({ type: 'stage', stage: 'render' });
  const options = { title: input.title, subtitle: input.subtitle };
  await writeFile(`${input.dir}/flamegraph.svg`, renderFlameGraphSvg(stacks, options));
  deps.report({ type: 'artifact', name: 'flamegraph.svg' });
  deps.report({ type: 'progress', fraction: 0.4 });
  await writeFile(`${input.dir}/flamegraph.html`, renderFlameGraphHtml(stacks, options));
  deps.report({ type: 'artifact', name: 'flamegraph.html' });
  deps.report({ type: 'progress', fraction: 0.8 });
  await writeFile(`${input.dir}/speedscope.json`, JSON.stringify(toSpeedscope(stacks, { name: input.name })));
  deps.report({ type: 'artifact', name: 'speedscope.json' });
}
