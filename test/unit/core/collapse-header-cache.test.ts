// Sample headers read from the shape of an earlier one (core/stacks/header-cache.ts): a header the cache
// answers for reads exactly as the perl script's regular expressions read it, and a collapser that uses
// the cache prints the same stacks as one that reads every header (one with a timeline, which does not
// use it), for random headers with odd process names, thread ids, CPU fields, periods, events and CRLF.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StackCollapser, type CollapseOptions } from '../../../core/stacks/collapse-perf.ts';
import { HeaderCache, type HeaderFacts } from '../../../core/stacks/header-cache.ts';
import { TimelineBuilder } from '../../../core/stacks/timeline.ts';

// stackcollapse-perf.pl's own expressions for a header (as core/stacks/collapse-perf.ts has them).
const EVENT_HEADER = /^(\S.+?)\s+(\d+)\/*(\d+)*\s+/;
const EVENT_NAME = /:\s*(\d+)*\s+(\S+):\s*$/;

/** A small seeded generator, so a failure can be run again. */
function random(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

const COMMS = ['MainThread', 'java', 'a b', 'x 12 y', 'kworker/0:1', 'swapper', 'w 7', 'java 1', 'p:2'];
const IDS = ['123', '123/456', '0/0', '7/7', '123/0', '42'];
const CPUS = ['', ' [000]', ' [001]', '  [12]'];
const TAILS = [
  ':    1001001 cpu-clock: ',
  ': 1001001 cpu-clock:',
  ':     250000 cycles: ',
  ': cpu-clock: ',
  ':    0 cpu-clock:  ',
  ':    1001001 cpu-clock: x',
  // The same lengths as the first: only the bytes tell them apart.
  ':    1001002 cpu-clock: ',
  ':    1001001 cpu-clocx: ',
  ':    1001001 xpu-clock: ',
];

function header(pick: (n: number) => number): string {
  const blank = pick(6) === 0 ? '  ' : ' ';
  const time = ` ${pick(3)}${pick(10)}.${String(pick(1_000_000)).padStart(6, '0')}`;
  const crlf = pick(8) === 0 ? '\r' : '';
  return `${COMMS[pick(COMMS.length)]}${blank}${IDS[pick(IDS.length)]}${CPUS[pick(CPUS.length)]}${time}${TAILS[pick(TAILS.length)]}${crlf}`;
}

function randomInput(seed: number, samples: number): string {
  const pick = random(seed);
  const lines: string[] = [];
  for (let i = 0; i < samples; i++) {
    lines.push(header(pick));
    for (let depth = pick(3); depth >= 0; depth--)
      lines.push(`\t    ${pick(4)}a f${pick(5)}+0x1${pick(3)} (/usr/lib/l${pick(2)}.so)`);
    lines.push('');
  }
  return lines.join('\n');
}

function folded(input: string, options: CollapseOptions, timeline: boolean): string {
  const collapser = new StackCollapser(options, undefined, timeline ? new TimelineBuilder() : undefined);
  collapser.push(input);
  const text = Buffer.concat([...collapser.endText()]).toString('utf8');
  return `${text}skipped ${collapser.skippedSamples}, unrecognized ${collapser.unrecognizedLines}\n`;
}

/** What the expressions read from a header: the groups a sample's process name, period and event come from. */
function reading(line: string): string {
  const m = EVENT_HEADER.exec(line);
  const ev = EVENT_NAME.exec(line);
  return JSON.stringify([m?.slice(1), ev?.slice(1)]);
}

describe('sample headers read by their shape', () => {
  it('answers for a header only when the expressions read it as the header it was learnt from', () => {
    const pick = random(7);
    let answered = 0;
    for (let i = 0; i < 20_000; i++) {
      const cache = new HeaderCache();
      const known = header(pick).replace(/\r$/, '');
      const m = EVENT_HEADER.exec(known);
      const ev = EVENT_NAME.exec(known);
      if (m === null || ev === null) continue;
      const bytes = Buffer.from(known, 'latin1');
      const facts: HeaderFacts = { pname: known, period: 1, isJava: false, skip: false };
      const span = {
        from: 0,
        to: bytes.length,
        prefixBytes: m[0].length,
        suffixBytes: known.length - ev.index,
      };
      cache.remember(bytes, span, facts);
      // Another header, or the same one with its middle or its ends changed.
      const other =
        pick(2) === 0
          ? header(pick).replace(/\r$/, '')
          : `${m[0]}${pick(3) === 0 ? ' ' : ''}9${pick(2) === 0 ? ':x ' : ''}${known.slice(ev.index)}`;
      const otherBytes = Buffer.from(other, 'latin1');
      if (cache.find(otherBytes, 0, otherBytes.length) === facts) {
        answered++;
        assert.equal(reading(other), reading(known), `${JSON.stringify(known)} → ${JSON.stringify(other)}`);
      }
    }
    assert.ok(answered > 1000, `the cache answered ${answered} times`);
  });

  for (const options of [{}, { pid: true }, { tid: true }, { all: true }] as CollapseOptions[]) {
    it(`prints what reading every header prints (${JSON.stringify(options)})`, () => {
      for (let seed = 1; seed <= 8; seed++) {
        const input = randomInput(seed, 400);
        assert.equal(folded(input, options, false), folded(input, options, true), `seed ${seed}`);
      }
    });
  }
});
