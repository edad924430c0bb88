// Makes test/bench/fixtures/recording-12k.folded.gz, the fixed input of `npm run bench:export`, from a real
// recording on this machine: the C and Node programs of mixed-recording.ts, recorded system-wide at 999 Hz
// on every core for 6 s as the sidecar records, `perf script` and the collapse as the sidecar runs them.
// Run once and commit the result; a fresh recording differs in how many distinct stacks it has (whatever
// else the machine ran), so the bench reads the committed file to stay comparable between rounds.
// Usage: node --import tsx test/bench/record-export-fixture.ts [DIR]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { collapsePerfScript } from '../../core/stacks/collapse-perf.ts';
import { formatFolded, totalSamples } from '../../core/stacks/folded.ts';
import { PERF_SCRIPT_FIELDS } from '../../sidecar/profilers/perf/perf-script.ts';
import { execFileSync } from '../harness/child-processes.ts';
import { recordMixed } from './mixed-recording.ts';

// perf takes about a second to start recording system-wide on a loaded machine; 7 s gives about 12,000
// samples on 2 cores.
const SECONDS = 7;

export const EXPORT_FIXTURE = join(import.meta.dirname, 'fixtures', 'recording-12k.folded.gz');

async function main(): Promise<void> {
  const dir = process.argv[2] ?? '/tmp/furnace-export-fixture';
  mkdirSync(dir, { recursive: true });
  const data = await recordMixed(dir, SECONDS);
  const script = execFileSync('perf', ['script', '-i', data.data, '-F', PERF_SCRIPT_FIELDS], {
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const stacks = await collapsePerfScript(Readable.from([script]));
  writeFileSync(EXPORT_FIXTURE, gzipSync(formatFolded(stacks), { level: 9 }));
  process.stdout.write(`${EXPORT_FIXTURE}: ${totalSamples(stacks)} samples, ${stacks.size} unique stacks\n`);
}

if (import.meta.filename === process.argv[1]) await main();
