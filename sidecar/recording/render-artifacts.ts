// Folded stacks from any profiler → the compact flame tree, stacks.folded, SVG, HTML, speedscope and the
// exported profiles (pprof, OTLP), every file written to the recording's dir within the disk budget.
import { rename, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { formatFolded, totalSamples, type FoldedStacks } from '../../core/stacks/folded.ts';
import { renderFlameGraphSvg } from '../../core/render/svg.ts';
import { renderFlameGraphHtml } from '../../core/render/html.ts';
import { toSpeedscope } from '../../core/render/speedscope.ts';
import { buildFlameTree } from '../../core/render/flame-tree.ts';
import {
  encodeFlameTree,
  writeCompactTree,
  type CompactFlameTree,
} from '../../core/render/flame-tree-compact.ts';
import { exportProfilePieces } from '../../core/export/profile-exports.ts';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { internStacks } from '../../core/stacks/interned.ts';
import type { ArtifactName } from '../../core/contract/names.ts';
import type { RecordingExports } from './export-meta.ts';
import type { TimedSamples } from '../../core/stacks/timeline.ts';
import type { RecordingEvent } from '../recording-events.ts';
import type { DiskBudget } from '../host/disk-budget.ts';

/** What rendering writes with: the event channel and the disk budget. */
export interface RenderDeps {
  report(event: RecordingEvent): void;
  /** Asked before each artifact goes to disk. */
  budget: Pick<DiskBudget, 'free'>;
}

/**
 * Writes one rendered artifact if the disk budget has room for it; a warning names it otherwise. A list of
 * pieces is written one after the other, as one file. The file is written beside its name and renamed onto
 * it: a recording symbolized again (or resumed) rewrites files it already lists, and a download reading one
 * then must get the old file or the new one whole, never a truncated one (an empty profile answered 200).
 */
export async function writeArtifact(
  deps: RenderDeps,
  dir: string,
  name: ArtifactName,
  text: string | Buffer | readonly Uint8Array[],
): Promise<void> {
  const bytes =
    typeof text === 'string' || Buffer.isBuffer(text)
      ? Buffer.byteLength(text)
      : text.reduce((sum, piece) => sum + piece.byteLength, 0);
  const free = await deps.budget.free();
  if (bytes > free) {
    deps.report({
      type: 'warning',
      message: `${name} (${bytes} bytes) was not written: the disk budget has ${free} bytes free`,
    });
    return;
  }
  const writing = `${dir}/.${name}.writing`;
  await writeFile(writing, text);
  await rename(writing, `${dir}/${name}`);
  deps.report({ type: 'artifact', name });
}

/**
 * flame-tree.bin.gz, the view the UI draws first. gzip level 1: on a large recording's tree (1.8 MB) it
 * took 6-8 ms against level 6's 20-38 ms, for a file 1.35 times the size (209 against 155 KB), and the file is read on loopback.
 */
export async function writeFlameTree(deps: RenderDeps, dir: string, tree: CompactFlameTree): Promise<void> {
  await writeArtifact(deps, dir, 'flame-tree.bin.gz', flameTreeFile(tree));
}

/** The bytes of flame-tree.bin.gz. */
export function flameTreeFile(tree: CompactFlameTree): Buffer {
  return gzipSync(writeCompactTree(tree), { level: 1 });
}

export interface RenderInput {
  dir: string;
  title: string;
  subtitle: string;
  name: string;
  /** The exported profiles to write last (export-meta.ts); none when absent. */
  exports?: RecordingExports;
  /** The samples in the order taken: speedscope.json then has one profile per thread in time order. */
  timeline?: TimedSamples;
  /** The profiler already wrote flame-tree.bin.gz (RunContext.writeTree). */
  treeWritten?: boolean;
}

/**
 * The exported profiles, after every view: one that cannot be made is a warning, never a failed recording
 * (the flame graph is already there).
 */
async function writeExports(
  deps: RenderDeps,
  dir: string,
  stacks: FoldedStacks,
  exports: RecordingExports | undefined,
): Promise<void> {
  if (exports === undefined || exports.names.length === 0) return;
  // Split into frames once for every format (most of what writing each costs), into one growing buffer.
  const tables = internStacks(stacks);
  const writer = new BinaryWriter();
  for (const name of exports.names) {
    let body: Uint8Array[];
    try {
      body = exportProfilePieces(name, tables, exports.meta, writer);
    } catch (error) {
      deps.report({ type: 'warning', message: `${name} was not written: ${(error as Error).message}` });
      continue;
    }
    await writeArtifact(deps, dir, name, body);
  }
}

/** speedscope.json, in time order per thread when the timeline holds every sample, summed up otherwise. */
async function writeSpeedscope(deps: RenderDeps, input: RenderInput, stacks: FoldedStacks): Promise<void> {
  const timeline = input.timeline;
  if (timeline !== undefined && timeline.dropped > 0) {
    const samples = timeline.count + timeline.dropped;
    deps.report({
      type: 'warning',
      message: `speedscope.json is summed up, without time order: ${samples} samples are over the ${timeline.count} its timeline holds`,
    });
  }
  const file = toSpeedscope(stacks, { name: input.name, timeline });
  await writeArtifact(deps, input.dir, 'speedscope.json', JSON.stringify(file));
}

/**
 * Folded stacks (from any profiler) → stacks.folded, SVG, HTML, speedscope and the exported profiles; the
 * sample count goes out as an event. No stacks (undefined): the stage moves on and nothing is drawn.
 */
export async function renderStacks(
  deps: RenderDeps,
  input: RenderInput,
  stacks: FoldedStacks | undefined,
): Promise<void> {
  deps.report({ type: 'stage', stage: 'collapse' });
  if (stacks === undefined) return;
  // Before stacks.folded, so it is uploaded first: the UI opens a recording once it has its folded stacks.
  if (input.treeWritten !== true)
    await writeFlameTree(deps, input.dir, encodeFlameTree(buildFlameTree(stacks)));
  await writeArtifact(deps, input.dir, 'stacks.folded', formatFolded(stacks));
  deps.report({ type: 'samples', samples: totalSamples(stacks) });

  deps.report({ type: 'stage', stage: 'render' });
  const options = {
    title: input.title,
    subtitle: input.subtitle,
    ...(input.exports?.countName === undefined ? {} : { countName: input.exports.countName }),
  };
  await writeArtifact(deps, input.dir, 'flamegraph.svg', renderFlameGraphSvg(stacks, options));
  deps.report({ type: 'progress', fraction: 0.4 });
  await writeArtifact(deps, input.dir, 'flamegraph.html', renderFlameGraphHtml(stacks, options));
  deps.report({ type: 'progress', fraction: 0.8 });
  await writeSpeedscope(deps, input, stacks);
  deps.report({ type: 'progress', fraction: 0.9 });
  await writeExports(deps, input.dir, stacks, input.exports);
}
