// Which of local mode's pins move to their program's key at start-up (server/catalog/local-pin-keys.ts):
// each pin under another key than its recording's program, one pin per program and namespace, the pin
// already under the program's key first, then the latest recording's; nothing for an entry without a
// program, nothing the second time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { planLocalPinKeys } from '../../../server/catalog/local-pin-keys.ts';
import { perfParams } from '../../harness/recording-status.ts';

type Recorded = { pattern: string } | { comm: string } | 'system' | 'nothing';

function entry(id: string, recorded: Recorded, minute: number, baselineOf?: string, namespace = 'local') {
  const params =
    typeof recorded === 'object' && 'pattern' in recorded
      ? perfParams(10, { processPattern: recorded.pattern })
      : perfParams(10, { systemWide: recorded === 'system' });
  const targets = typeof recorded === 'object' && 'comm' in recorded ? [{ pid: 7, comm: recorded.comm }] : [];
  const value: CatalogEntry = {
    ...{ id, namespace, pod: 'laptop', state: 'done', params, targets, artifacts: [] },
    startedAt: new Date(Date.UTC(2026, 2, 1, 11, minute)).toISOString(),
    ...(baselineOf !== undefined ? { baselineOf } : {}),
  };
  return value;
}

/** The entries with the plan applied, as the catalog would hold them. */
function applied(entries: CatalogEntry[]): CatalogEntry[] {
  const plan = planLocalPinKeys(entries);
  const dropped = new Set(plan.drop.map((d) => d.id));
  const moved = new Map(plan.rekey.map((r) => [r.id, r.to]));
  return entries.map(({ baselineOf, ...rest }) => {
    const pin = dropped.has(rest.id) ? undefined : (moved.get(rest.id) ?? baselineOf);
    return pin === undefined ? rest : { ...rest, baselineOf: pin };
  });
}

describe('planLocalPinKeys', () => {
  it('moves each pin to its program: a pattern, a command, the whole machine; an entry without a program keeps its pin', () => {
    const entries = [
      entry('p1', { pattern: 'node .*server\\.js' }, 0, 'deployment/laptop'),
      entry('c1', { comm: 'postgres' }, 1, 'statefulset/db'),
      entry('s1', 'system', 2, 'daemonset/laptop'),
      entry('bare', 'nothing', 3, 'deployment/laptop'),
      entry('kept', { pattern: 'java' }, 4, 'pattern/java'),
    ];
    assert.deepEqual(planLocalPinKeys(entries), {
      rekey: [
        { id: 'p1', namespace: 'local', from: 'deployment/laptop', to: 'pattern/node .*server\\.js' },
        { id: 'c1', namespace: 'local', from: 'statefulset/db', to: 'command/postgres' },
        { id: 's1', namespace: 'local', from: 'daemonset/laptop', to: 'system/all' },
      ],
      drop: [],
    });
    assert.deepEqual(planLocalPinKeys(applied(entries)), { rekey: [], drop: [] }, 'the second time');
  });

  it('keeps one pin per program and namespace: the one under its key, else the latest recording’s', () => {
    const entries = [
      entry('old', { pattern: 'java' }, 0, 'deployment/laptop'),
      entry('new', { pattern: 'java' }, 1, 'pattern/java'),
      entry('c1', { comm: 'postgres' }, 2, 'deployment/db'),
      entry('c2', { comm: 'postgres' }, 3, 'statefulset/db'),
      entry('c0', { comm: 'postgres' }, 1, 'daemonset/db'),
      entry('elsewhere', { comm: 'postgres' }, 0, 'deployment/db', 'other'),
    ];
    const plan = planLocalPinKeys(entries);
    assert.deepEqual(
      plan.rekey.map((r) => `${r.namespace} ${r.id} ${r.to}`),
      ['local c2 command/postgres', 'other elsewhere command/postgres'],
    );
    assert.deepEqual(
      plan.drop.map((d) => `${d.id} ${d.from} kept ${d.kept}`),
      ['old deployment/laptop kept new', 'c1 deployment/db kept c2', 'c0 daemonset/db kept c2'],
    );
    assert.deepEqual(planLocalPinKeys(applied(entries)), { rekey: [], drop: [] }, 'the second time');
  });
});
