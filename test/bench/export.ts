// `npm run bench:export`: what writing the exported profiles costs the sidecar after a recording, in time
// and in extra memory, against writing the same recording's folded stacks (stacks.folded) in the same run.
// Two recordings: a real one of about 12,000 samples, fixed in the repository so that rounds compare
// (test/bench/fixtures/recording-12k.folded.gz, made once by test/bench/record-export-fixture.ts: a C
// program and a Node program with JIT frames, recorded system-wide at 999 Hz on both cores of the
// development machine while other tests ran, perf script and the collapse as the sidecar runs them), and
// 100,000 unique stacks (test/bench/ui-stand-in.ts's synthetic profile, 45 MB folded). Each writer runs in
// a fresh child process on the parsed stacks, under the sidecar's memory limit: its first (cold)
// run is timed and its extra RSS measured (peak RSS reset through /proc/self/clear_refs before the run,
// VmHWM after it, less the RSS before it), then warm runs give a median. Each writer ends with the file
// on disk, as in the sidecar (core/export/profile-exports.ts for pprof and OTLP; pprof + OTLP, as the sidecar
// writes them, each file written as its pieces one after the other). A child's cold run is one sample, and
// one sample moved by tens of ms between runs: for the 12k recording each writer runs in 5 fresh children
// (BENCH_EXPORT_CHILDREN), the writers taken in turn, and its figures are the children's medians (the cold
// runs' range printed beside). The synthetic input is cached under /tmp/furnace-bench-export.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import {
  exportProfile,
  exportProfilePieces,
  type ExportArtifact,
} from '../../core/export/profile-exports.ts';
import type { ProfileExportMeta } from '../../core/export/profile-subject.ts';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { DEFAULT_INJECTION_CONFIG } from '../../core/injection/injection-config.ts';
import { internStacks, type InternedStacks } from '../../core/stacks/interned.ts';
import { formatFolded, parseFolded, totalSamples, type FoldedStacks } from '../../core/stacks/folded.ts';
import { execFileSync } from '../harness/child-processes.ts';
import { memoryGroup, quantityBytes } from '../harness/memory-limit.ts';
import { load, machine, median, utcNow } from './machine.ts';
import { EXPORT_FIXTURE } from './record-export-fixture.ts';
import { syntheticFolded } from './ui-stand-in.ts';

const DIR = '/tmp/furnace-bench-export';
const MB = 1024 * 1024;
/** Fresh children per writer for the 12k recording (`BENCH_EXPORT_CHILDREN`): its cold figures are their medians. */
const COLD_CHILDREN = Number(process.env.BENCH_EXPORT_CHILDREN ?? 5);
// `none` writes nothing: its extra RSS is what the method shows for a cold child that only runs the
// measuring code, the floor under every other figure.
const WRITERS = ['none', 'folded', 'pprof', 'otlp', 'pprof+otlp'] as const;
type Writer = (typeof WRITERS)[number];
const META: ProfileExportMeta = {
  frequency: 999,
  startedAtMs: Date.parse('2026-11-23T06:00:00Z'),
  durationMs: 6000,
  subject: { namespace: 'shop', pod: 'web-7d9f8c6b5-x2k4q', container: 'app', service: 'web' },
};

interface Measured {
  coldMs: number;
  warmMs: number;
  extraRssBytes: number;
  bytes: number;
}

/** Writes the pieces one after the other into the file, as the sidecar writes an exported profile. */
function writePieces(path: string, pieces: readonly Uint8Array[]): number {
  const fd = openSync(path, 'w');
  try {
    let bytes = 0;
    for (const piece of pieces) for (let at = 0; at < piece.byteLength;) at += writeSync(fd, piece, at);
    for (const piece of pieces) bytes += piece.byteLength;
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Writes what the writer makes into DIR, as the sidecar writes artifacts; the bytes written. */
function write(writer: Writer, stacks: FoldedStacks): number {
  const out = (name: string, body: string | Buffer): number => {
    writeFileSync(join(DIR, `out-${name}`), body);
    return Buffer.byteLength(body);
  };
  const pieces = (name: ExportArtifact, tables: InternedStacks, w: BinaryWriter): number =>
    writePieces(join(DIR, `out-${name}`), exportProfilePieces(name, tables, META, w));
  switch (writer) {
    case 'none':
      return 0;
    case 'folded':
      return out('stacks.folded', formatFolded(stacks));
    case 'pprof':
      return out('profile.pb.gz', exportProfile('profile.pb.gz', stacks, META));
    case 'otlp':
      return out('profile.otlp.pb', exportProfile('profile.otlp.pb', stacks, META));
    case 'pprof+otlp': {
      // As the sidecar writes both (sidecar/recording/render-artifacts.ts): the stacks interned once, one
      // writer for both formats, each file written piece by piece.
      const tables = internStacks(stacks);
      const writer = new BinaryWriter();
      return pieces('profile.pb.gz', tables, writer) + pieces('profile.otlp.pb', tables, writer);
    }
  }
}

function rssBytes(field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
}

/** In the child: one cold run with its extra peak RSS, then warm runs. */
function measureHere(writer: Writer, input: string, warmRuns: number): Measured {
  const stacks = parseFolded(readFileSync(input, 'utf8'));
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
  const before = rssBytes('VmRSS');
  let t = performance.now();
  const bytes = write(writer, stacks);
  const coldMs = performance.now() - t;
  const extraRssBytes = Math.max(0, rssBytes('VmHWM') - before);
  const warm: number[] = [];
  for (let i = 0; i < warmRuns; i++) {
    t = performance.now();
    write(writer, stacks);
    warm.push(performance.now() - t);
  }
  return { coldMs, warmMs: median(warm), extraRssBytes, bytes };
}

/** The sidecar container's memory limit as injected by default. */
const SIDECAR_LIMIT = DEFAULT_INJECTION_CONFIG.resources.limits.memory ?? '1Gi';

/**
 * In a fresh child, so one writer's garbage and JIT state do not touch another's figures, and under the
 * sidecar's memory limit, as in its container: Node sizes its young generation from the limit it finds,
 * and without one (this machine's 23.5 GiB) lets it grow to 64 MiB semi-spaces, which the extra RSS of a
 * cold run would count.
 */
function measure(writer: Writer, input: string, warmRuns: number): Measured {
  const group = memoryGroup(quantityBytes(SIDECAR_LIMIT));
  const child = group.wrap(process.execPath, [
    ...['--expose-gc', '--import', 'tsx', import.meta.filename],
    ...['--child', writer, input, String(warmRuns)],
  ]);
  try {
    const out = execFileSync(child.command, child.args, {
      encoding: 'utf8',
      maxBuffer: 16 * MB,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return JSON.parse(out) as Measured;
  } finally {
    group.remove();
  }
}

/** About 12,000 samples of a real recording, from the repository's fixture, unzipped for the children. */
function realRecording(): string {
  const folded = join(DIR, 'recording-12k.folded');
  writeFileSync(folded, gunzipSync(readFileSync(EXPORT_FIXTURE)));
  return folded;
}

function syntheticRecording(): string {
  const folded = join(DIR, 'unique-100k.folded');
  if (!existsSync(folded)) writeFileSync(folded, syntheticFolded(100_000));
  return folded;
}

const f1 = (n: number): string => n.toFixed(1);
const mb = (n: number): string => (n / MB).toFixed(1);

/** The medians of several fresh children's figures (one child's cold run is a single sample). */
function medianOf(runs: readonly Measured[]): Measured & { coldRange: [number, number] } {
  const of = (field: keyof Measured): number => median(runs.map((run) => run[field]));
  const colds = runs.map((run) => run.coldMs);
  return {
    coldMs: of('coldMs'),
    warmMs: of('warmMs'),
    extraRssBytes: of('extraRssBytes'),
    bytes: of('bytes'),
    coldRange: [Math.min(...colds), Math.max(...colds)],
  };
}

function report(label: string, input: string, warmRuns: number, children: number): Record<Writer, Measured> {
  const stacks = parseFolded(readFileSync(input, 'utf8'));
  process.stdout.write(
    `\n${label}: ${totalSamples(stacks).toLocaleString('en')} samples, ${stacks.size.toLocaleString('en')} unique stacks (load ${load()})` +
      `${children > 1 ? `; medians of ${children} fresh children per writer, the writers taken in turn` : ''}\n`,
  );
  const runs = Object.fromEntries(WRITERS.map((writer) => [writer, [] as Measured[]])) as Record<
    Writer,
    Measured[]
  >;
  for (let round = 0; round < children; round++)
    for (const writer of WRITERS) runs[writer].push(measure(writer, input, warmRuns));
  const results = {} as Record<Writer, ReturnType<typeof medianOf>>;
  for (const writer of WRITERS) results[writer] = medianOf(runs[writer]);
  const base = results.folded;
  for (const writer of WRITERS) {
    const r = results[writer];
    const range = children > 1 ? ` (${f1(r.coldRange[0])}–${f1(r.coldRange[1])})` : '';
    process.stdout.write(
      `  ${writer.padEnd(11)} cold ${f1(r.coldMs).padStart(7)} ms${range}, warm median ${f1(r.warmMs).padStart(7)} ms` +
        ` (${f1(r.warmMs / base.warmMs)}× folded), extra RSS ${mb(r.extraRssBytes).padStart(6)} MB` +
        ` (folded ${mb(base.extraRssBytes)} MB), ${mb(r.bytes)} MB written\n`,
    );
  }
  return results;
}

function verdict(results: Record<Writer, Measured>): void {
  const both = results['pprof+otlp'];
  const base = results.folded;
  const checks = [
    // The sidecar writes these once per recording: the cold run is what a recording's stop pays.
    [
      `pprof + OTLP ≤ 50 ms, cold and warm (cold ${f1(both.coldMs)} ms, warm ${f1(both.warmMs)} ms)`,
      Math.max(both.coldMs, both.warmMs) <= 50,
    ],
    [`extra RSS ≤ 5 MB (${mb(both.extraRssBytes)} MB)`, both.extraRssBytes <= 5 * MB],
    [`within 3× the folded writer (${f1(both.warmMs / base.warmMs)}×)`, both.warmMs <= 3 * base.warmMs],
  ] as const;
  for (const [what, ok] of checks) process.stdout.write(`  target ${what}: ${ok ? 'met' : 'NOT met'}\n`);
}

function main(): void {
  mkdirSync(DIR, { recursive: true });
  process.stdout.write(`bench:export: ${machine(true)}\nload at start: ${load()}; ${utcNow()}\n`);
  const real = report(
    'real recording (test/bench/fixtures/recording-12k.folded.gz)',
    realRecording(),
    9,
    COLD_CHILDREN,
  );
  verdict(real);
  report('synthetic, 100,000 unique stacks', syntheticRecording(), 3, 1);
  process.stdout.write(`\nload at end: ${load()}; ${utcNow()}\n`);
}

if (process.argv[2] === '--child') {
  const [writer, input, runs] = process.argv.slice(3);
  process.stdout.write(JSON.stringify(measureHere(writer as Writer, input as string, Number(runs))));
} else {
  main();
}
