// Function counts read in place from folded text are those of the parsed stacks: the same lines kept and
// skipped as parseFolded, the same self and total per function, on real recordings and on odd lines.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  countFoldedText,
  countFunctions,
  type FunctionCounts,
} from '../../../core/compare/function-counts.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

function byName(counts: FunctionCounts): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  counts.names.forEach((name, id) => {
    if ((counts.total[id] as number) > 0) out[name] = [counts.self[id] as number, counts.total[id] as number];
  });
  return out;
}

function assertSame(text: string, uniqueLines = true): FunctionCounts {
  const inPlace = countFoldedText(text);
  const parsed = countFunctions(parseFolded(text));
  assert.deepEqual(byName(inPlace), byName(parsed));
  assert.equal(inPlace.samples, parsed.samples);
  // The divisor is of the lines read: parsing first adds repeated lines up.
  if (uniqueLines) assert.equal(inPlace.countDivisor, parsed.countDivisor);
  return inPlace;
}

test('real recordings: the same counts read in place as parsed', () => {
  for (const name of ['base-0', 'beta3', 'rename'])
    assertSame(readFileSync(join(PROJECT_ROOT, 'test/fixtures/regression', `${name}.folded`), 'utf8'));
});

test('odd lines: CRLF, spaces in frames, tabs, blank and countless lines, repeats, recursion', () => {
  const counts = assertSame(
    [
      'app;main;operator new(unsigned long) 3\r',
      'app;main;f;f;f\t4',
      '',
      'app;main;no count here',
      'app;main;zero 0',
      'app;main;f 2   ',
      'app;main;f 1.5',
      'app;main;operator new(unsigned long) 1',
      '   ',
      'lonely',
    ].join('\n'),
    false,
  );
  assert.deepEqual(byName(counts)['f'], [7.5, 7.5]);
  assert.deepEqual(byName(counts)['operator new(unsigned long)'], [4, 4]);
  assert.equal(counts.samples, 11.5);
  assert.equal(counts.countDivisor, 1);
});
