// The server image without a container engine (there is none here): its files built as Dockerfile.server's
// build stage builds them, laid out as its final stage copies them, and the entry point and node flags it
// runs them with, all read from the Dockerfile.
import { cp, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle } from '../../deploy/bundle/build-bundle.ts';
import { buildUi } from '../../ui/build.ts';
import { copySources, parseDockerfile, type Stage } from './dockerfile.ts';
import { PROJECT_ROOT } from './project-root.ts';

/** Where the build stage works (its WORKDIR): paths below it are the project's. */
const BUILD_ROOT = '/src/';

export interface ServerImage {
  /** ENTRYPOINT, as written: `node` and the script, relative to the final stage's WORKDIR. */
  entrypoint: string[];
  /** NODE_OPTIONS of the final stage. */
  nodeOptions: string;
  /** Every variable the final stage's ENV lines set (NODE_OPTIONS too), as its processes find them. */
  env: Record<string, string>;
}

/** The variables of one ENV line: `NAME=value` or `NAME="a value"` pairs. */
function envPairs(line: string): [string, string][] {
  return [...line.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|(\S*))/g)].map((m) => [
    m[1] ?? '',
    m[2] ?? m[3] ?? '',
  ]);
}

function finalStage(): Stage {
  const stages = parseDockerfile(readFileSync(join(PROJECT_ROOT, 'Dockerfile.server'), 'utf8'));
  const final = stages.at(-1);
  if (!final) throw new Error('Dockerfile.server has no stage');
  return final;
}

export function serverImage(): ServerImage {
  const final = finalStage();
  const entrypoint = final.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.args ?? '[]';
  const env = Object.fromEntries(
    final.instructions.filter((i) => i.keyword === 'ENV').flatMap((i) => envPairs(i.args)),
  );
  return { entrypoint: JSON.parse(entrypoint) as string[], nodeOptions: env.NODE_OPTIONS ?? '', env };
}

let built: Promise<unknown> | undefined;

/** What the build stage runs (npm run build:server-bundle and build:ui), once per test process. */
export async function buildServerImageFiles(): Promise<void> {
  built ??= Promise.all([buildBundle(), buildUi()]);
  await built;
}

/** Copies what the final stage copies from the build stage (the project, built) into appDir, its WORKDIR. */
export async function layOutServerImage(appDir: string): Promise<string[]> {
  const copied: string[] = [];
  for (const copy of finalStage()
    .instructions.filter((i) => i.keyword === 'COPY')
    .map(copySources)) {
    if (copy.from === undefined) throw new Error('the final stage copies only from the build stage');
    const target = join(appDir, copy.destination);
    await mkdir(target, { recursive: true });
    for (const source of copy.sources) {
      if (!source.startsWith(BUILD_ROOT)) throw new Error(`COPY ${source}: not under ${BUILD_ROOT}`);
      await cp(join(PROJECT_ROOT, source.slice(BUILD_ROOT.length)), target, { recursive: true });
      copied.push(copy.destination);
    }
  }
  return copied;
}
