// The findings of an offcpu or wall graph: weighted by nanoseconds, so no "idle" share of samples; stacks
// cut short by missing frame pointers get the CPU graph's diagnosis with the advice that applies (no dwarf
// here); user frames left as addresses (a recorder inside the pod) are named as such.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnoseStacks, type DiagnoseContext } from '../../../core/stacks/diagnose.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';

const OFFCPU: DiagnoseContext = {
  durationSeconds: 30,
  frequency: 99,
  callGraph: 'dwarf',
  processes: ['app'],
  timed: 'offcpu',
};

describe('findings of a time-weighted graph', () => {
  it('has none for whole stacks, however few nanoseconds', () => {
    const stacks = parseFolded('app_read;start_thread;__libc_read;ksys_read;schedule 2000\n');
    assert.deepEqual(diagnoseStacks(stacks, OFFCPU), []);
  });

  it('says nothing was away from the CPU, not that the process was idle', () => {
    const [finding] = diagnoseStacks(new Map(), OFFCPU);
    assert.match(finding ?? '', /no thread of app was away from the CPU for the minimum time/);
  });

  it('diagnoses stacks without frame pointers with advice for the scheduler recorder, whatever callGraph says', () => {
    const stacks = parseFolded(
      'app;helper;do_read;ksys_read;schedule 900\napp;start_thread;main;nanosleep 100\n',
    );
    const [finding, ...more] = diagnoseStacks(stacks, OFFCPU);
    assert.deepEqual(more, []);
    assert.match(
      finding ?? '',
      /^90 % of the time has user stacks that stop before main .*most often at schedule/,
    );
    assert.match(
      finding ?? '',
      /offcpu recorder walks frame pointers only\. Build with -fno-omit-frame-pointer/,
    );
    assert.doesNotMatch(finding ?? '', /dwarf/);
  });

  it('names user frames left as addresses, and does not take them for cut stacks', () => {
    const stacks = parseFolded('app;0x7f3a12;0x55d201;ksys_read;schedule 800\napp;start_thread;main 200\n');
    const findings = diagnoseStacks(stacks, { ...OFFCPU, timed: 'wall' });
    assert.equal(findings.length, 1, findings.join('\n'));
    assert.match(findings[0] ?? '', /^80 % of the time has user frames shown as addresses: .*inside the pod/);
  });
});
