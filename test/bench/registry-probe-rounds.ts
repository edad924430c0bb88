// node test/bench/registry-probe-rounds.ts DIR: each probe-<pid>.jsonl that bench:registry's probe wrote in DIR
// (BENCH_PROBE_DIR), summed by 15 s round from the replica's first busy second (the first registrations):
// answers, answers slower than 5 and 10 ms in the server, GCs and their time, mark-compacts, the loop's
// longest delay and highest utilization, the heap in use. Per-process figures, which hold under load.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Line {
  t: number;
  answered: number;
  slow: number[];
  loopMaxMs: number;
  elu: number;
  gcMs: number;
  gcCount: number;
  gcs: { kind: string }[];
  heapMiB: number;
}

const ROUND_MS = 15_000;
const dir = process.argv[2] ?? '.';
for (const file of readdirSync(dir).filter((name) => /^probe-\d+\.jsonl$/.test(name))) {
  const lines = readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((text) => JSON.parse(text) as Line);
  const start = lines.find((line) => line.answered > 50)?.t;
  if (start === undefined) continue;
  console.log(file);
  const rounds = new Map<number, Line[]>();
  for (const line of lines.filter((l) => l.t >= start)) {
    const round = Math.floor((line.t - start) / ROUND_MS);
    rounds.set(round, [...(rounds.get(round) ?? []), line]);
  }
  for (const [round, group] of rounds) {
    const sum = (f: (l: Line) => number) => group.reduce((a, l) => a + f(l), 0);
    const max = (f: (l: Line) => number) => Math.max(...group.map(f));
    console.log(
      `  ${round === 0 ? 'registrations' : `round ${round}`}: answered ${sum((l) => l.answered)}, in server > 5 ms ${sum((l) => l.slow.length)}, > 10 ms ${sum((l) => l.slow.filter((ms) => ms > 10).length)}; GCs ${sum((l) => l.gcCount)} (${Math.round(sum((l) => l.gcMs))} ms), mark-compacts ${sum((l) => l.gcs.filter((g) => g.kind === 'mark-compact').length)}; loop delay max ${max((l) => l.loopMaxMs)} ms, utilization max ${max((l) => l.elu)}; heap ${Math.min(...group.map((l) => l.heapMiB))}–${max((l) => l.heapMiB)} MiB`,
    );
  }
}
