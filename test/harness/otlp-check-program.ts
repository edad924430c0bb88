// The OTLP checker (test/fixtures/otlp-check): a Go program built against the official OTLP bindings
// (go.opentelemetry.io/proto/otlp/.../profiles/v1development, from the Go module proxy) that decodes a
// profile.otlp.pb and reports what it found. Built once per source version and cached like the
// Kubernetes binaries (build-control-plane.sh): $FURNACE_TEST_CACHE, else ~/.cache/furnace-test.
import { createHash } from 'node:crypto';
import { access, cp, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { goBinary } from './go-pprof-program.ts';
import { run } from './processes.ts';
import { PROJECT_ROOT } from './project-root.ts';

const SOURCE = join(PROJECT_ROOT, 'test/fixtures/otlp-check');
const FILES = ['main.go', 'go.mod', 'go.sum'];

/** What otlp-check prints: problems found (none is a pass), and the profile as it read it. */
export interface OtlpCheckReport {
  problems: string[];
  resource: Record<string, string>;
  scope: string;
  sampleType: string;
  periodType: string;
  period: number;
  timeUnixNano: number;
  durationNano: number;
  total: number;
  samples: number;
  strings: number;
  functions: number;
  locations: number;
  stacks: number;
  /** The samples as folded stacks, root first, sorted. */
  folded: string;
}

function cacheRoot(): string {
  return (
    process.env.FURNACE_TEST_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'furnace-test')
  );
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function build(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of FILES) hash.update(await readFile(join(SOURCE, file)));
  const binary = join(cacheRoot(), `otlp-check-${hash.digest('hex').slice(0, 16)}`, 'otlp-check');
  if (await exists(binary)) return binary;
  await mkdir(join(binary, '..'), { recursive: true });
  const work = await mkdtemp(join(cacheRoot(), 'otlp-check-build-'));
  try {
    for (const file of FILES) await cp(join(SOURCE, file), join(work, file));
    const go = await goBinary();
    // The modules come from the proxy, checked against the committed go.sum.
    await run(go, ['build', '-mod=readonly', '-o', join(work, 'otlp-check'), '.'], {
      cwd: work,
      env: { ...process.env, CGO_ENABLED: '0' },
    }).catch((error: Error) => {
      throw new Error(
        `building test/fixtures/otlp-check failed (is the Go module proxy reachable?): ${error.message}`,
      );
    });
    await rename(join(work, 'otlp-check'), binary);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return binary;
}

let built: Promise<string> | undefined;

/** The checker's path, built on first use (a few seconds when the modules are cached, more on the first run). */
export function otlpCheckProgram(): Promise<string> {
  built ??= build();
  return built;
}

/** Runs the checker on a profile.otlp.pb file. */
export async function checkOtlp(path: string): Promise<OtlpCheckReport> {
  const { stdout } = await run(await otlpCheckProgram(), [path], { maxBuffer: 512 * 1024 * 1024 });
  return JSON.parse(stdout) as OtlpCheckReport;
}
