// Continuous profiling's pure parts: a window's stacks split by pod and container, the one perf pair's command
// lines, the keys windows are stored under, and the merge of a range (exact totals: the merged range is the
// sum of its windows) over the real filesystem window store.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { parseFolded, totalSamples } from '../../../core/stacks/folded.ts';
import { collapsePerfScript } from '../../../core/stacks/collapse-perf.ts';
import { splitByOwner } from '../../../sidecar/continuous/window-split.ts';
import {
  continuousPerfArgs,
  continuousScriptArgs,
} from '../../../sidecar/continuous/perf-continuous-args.ts';
import { perfCgroupOf, scanOne, ownersOfPlan } from '../../../sidecar/continuous/cgroup-scan.ts';
import {
  hourPrefixes,
  parseWindowKey,
  windowKey,
  windowMatches,
  type WindowMeta,
} from '../../../server/continuous/window-keys.ts';
import { filesystemWindows } from '../../../server/continuous/window-store.ts';
import { mergeWindows } from '../../../server/continuous/merge-windows.ts';
import { removeExpiredWindows } from '../../../server/continuous/continuous-retention.ts';
import { workDir } from '../../harness/temp-dirs.ts';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);

describe('a continuous window split by pod and container', () => {
  it('sends each PID to its owner, takes the PID out of the root, and counts what nobody owns', async () => {
    const script = [
      'hot 101/101 1.000000: cpu-clock:',
      '\t1 spin (/bin/hot)',
      '\t2 main (/bin/hot)',
      '',
      'hot 101/101 1.100000: cpu-clock:',
      '\t1 spin (/bin/hot)',
      '\t2 main (/bin/hot)',
      '',
      'cold 202/202 1.200000: cpu-clock:',
      '\t3 wait (/bin/cold)',
      '',
      'gone 303/303 1.300000: cpu-clock:',
      '\t4 exit (/bin/gone)',
      '',
      '',
    ].join('\n');
    const stacks = await collapsePerfScript(Readable.from([script]), { pid: true });
    const owners = new Map([
      [101, { key: 'uid-1/app' }],
      [202, { key: 'uid-2/db' }],
    ]);
    const split = splitByOwner(stacks, (pid) => owners.get(pid));
    assert.deepEqual([...(split.byOwner.get('uid-1/app') ?? [])], [['hot;main;spin', 2]]);
    assert.deepEqual([...(split.byOwner.get('uid-2/db') ?? [])], [['cold;wait', 1]]);
    assert.equal(split.unattributed, 1, 'the sample of PID 303, which no selected container owns');
    const kept = [...split.byOwner.values()].reduce((sum, s) => sum + totalSamples(s), 0);
    assert.equal(kept + split.unattributed, totalSamples(stacks), 'nothing is lost or counted twice');
  });

  it('keeps a comm that itself ends in a dash and digits whole', () => {
    const stacks = new Map([['worker-7-4242;run', 5]]);
    const split = splitByOwner(stacks, (pid) => (pid === 4242 ? { key: 'k' } : undefined));
    assert.deepEqual([...(split.byOwner.get('k') ?? [])], [['worker-7;run', 5]]);
  });
});

describe('the one perf of a node', () => {
  it('samples every CPU, with one cpu-clock event per selected cgroup, to stdout in wall-clock time', () => {
    const args = continuousPerfArgs({ frequency: 19, cgroups: ['a/x', 'b/y'] });
    assert.deepEqual(args, [
      ...['record', '--no-buildid-cache', '--no-buildid', '-a', '-g', '-F', '19'],
      ...['-k', 'CLOCK_REALTIME', '-m', '1', '-o', '-'],
      ...['-e', 'cpu-clock', '-G', 'a/x', '-e', 'cpu-clock', '-G', 'b/y'],
    ]);
    assert.deepEqual(continuousScriptArgs('/data/kallsyms'), [
      ...['script', '-i', '-', '-F', 'comm,pid,tid,time,event,ip,sym,dso'],
      ...['--kallsyms', '/data/kallsyms'],
    ]);
    assert.deepEqual(continuousScriptArgs(undefined).slice(-2), ['-F', 'comm,pid,tid,time,event,ip,sym,dso']);
  });

  it('finds a selected container by its cgroup and gives perf the path of its hierarchy', () => {
    const uid = '0d6c3f1e-1111-2222-3333-444455556666';
    const path = `/kubepods/besteffort/pod${uid}/${ID_A}`;
    const v2 = `0::${path}\n`;
    assert.equal(perfCgroupOf(v2), path.slice(1));
    assert.equal(
      perfCgroupOf(`5:perf_event:/pe${path}\n0::${path}\n`),
      `pe${path}`,
      'the v1 perf_event controller wins',
    );
    const owners = ownersOfPlan([
      { namespace: 'ns', pod: 'p', podUid: uid, workload: 'Pod/p', containers: [{ name: 'app', id: ID_A }] },
    ]);
    assert.equal(scanOne(v2, owners)?.owner.key, `${uid}/app`);
    assert.equal(
      scanOne(`0::/kubepods/besteffort/pod${uid}/${ID_B}\n`, owners),
      undefined,
      'another container',
    );
  });
});

const meta = (over: Partial<WindowMeta>): WindowMeta => ({
  namespace: 'shop',
  node: 'node-1',
  pod: 'web-1',
  container: 'app',
  workload: 'Deployment/web',
  start: Date.UTC(2026, 10, 23, 10, 59, 50),
  end: Date.UTC(2026, 10, 23, 11, 0, 5),
  ...over,
});

describe('stored windows', () => {
  it('name everything a query filters on in their key', () => {
    const window = meta({});
    const key = windowKey(window);
    assert.equal(key.split('/').slice(0, 2).join('/'), 'shop/2026112310');
    assert.deepEqual(parseWindowKey(key), window);
    assert.equal(parseWindowKey('shop/2026112310/x~y'), undefined);
    const query = { namespace: 'shop', from: Date.UTC(2026, 10, 23, 11), to: Date.UTC(2026, 10, 23, 12) };
    assert.ok(windowMatches(window, query), 'a window reaching into the range is part of it');
    assert.ok(!windowMatches(window, { ...query, pod: 'web-2' }));
    assert.ok(
      !windowMatches(meta({ end: query.from }), query),
      'a window ending where the range starts is not',
    );
    assert.deepEqual(hourPrefixes(query), ['shop/2026112310/', 'shop/2026112311/', 'shop/2026112312/']);
  });

  it('merge over a range into exactly the sum of their windows, filtered by pod', async (t) => {
    const dir = await workDir(t, 'continuous-merge');
    const store = filesystemWindows(dir);
    const start = Date.UTC(2026, 10, 23, 10, 0, 0);
    const windows: { meta: WindowMeta; folded: string }[] = [];
    for (let i = 0; i < 300; i++) {
      const pod = i % 3 === 0 ? 'db-1' : 'web-1';
      const at = start + i * 15_000;
      const folded = `${pod};main;work_${i % 7} ${1 + (i % 5)}\n${pod};main ${i % 2}\n`;
      windows.push({ meta: meta({ pod, start: at, end: at + 15_000 }), folded });
    }
    for (const w of windows) await store.put(windowKey(w.meta), w.folded);
    const query = { namespace: 'shop', from: start + 60_000, to: start + 3_600_000 };
    const expected = windows.filter((w) => windowMatches(w.meta, query));
    const merged = await mergeWindows(store, query);
    assert.equal(merged.windows, expected.length);
    const sum = expected.reduce((total, w) => total + totalSamples(parseFolded(w.folded)), 0);
    assert.equal(merged.samples, sum);
    assert.equal(totalSamples(merged.stacks), sum, 'the merged stacks hold exactly the windows’ samples');
    const web = await mergeWindows(store, { ...query, pod: 'web-1' });
    const db = await mergeWindows(store, { ...query, pod: 'db-1' });
    assert.equal(web.samples + db.samples, merged.samples);
    assert.ok([...web.stacks.keys()].every((stack) => stack.startsWith('web-1;')));
  });

  it('are removed by the hour once every window of the hour is older than the retention', async (t) => {
    const dir = await workDir(t, 'continuous-retention');
    const store = filesystemWindows(dir);
    const hour = 3_600_000;
    const base = Date.UTC(2026, 10, 20, 0, 0, 0);
    for (let h = 0; h < 5; h++)
      for (const pod of ['web-1', 'db-1'])
        await store.put(
          windowKey(meta({ pod, start: base + h * hour, end: base + h * hour + 15_000 })),
          'a;b 1\n',
        );
    // A retention of one hour, an hour and ten minutes after the last bucket began.
    const now = base + 5 * hour + 10 * 60_000;
    assert.equal(await removeExpiredWindows(store, now, 1), 4, 'hours 0 to 3 are out of the retention');
    const left = await mergeWindows(store, { namespace: 'shop', from: base - hour, to: now });
    assert.equal(left.windows, 2, 'hour 4 is kept: a window of it may still be within the retention');
    assert.equal(await removeExpiredWindows(store, now, 1), 0);
  });
});
