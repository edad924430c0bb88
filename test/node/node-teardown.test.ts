// A node's teardown leaves the machine as it found it: every container, mount, cgroup, bridge, network
// namespace, iptables rule (its own, the kubelet's and kube-proxy's) and ip_forward, removed by what the node
// recorded. Starts a node of its own, so test/run.sh runs this file before the run's shared node starts
// (two kube-proxies on one machine would rewrite each other's chains).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../harness/processes.ts';
import { machineDiff, snapshotMachine } from '../harness/node/machine-snapshot.ts';
import { mountsBelow } from '../harness/node/node-mounts.ts';
import { startNode } from '../harness/node/start-node.ts';
import { stopNode } from '../harness/node/stop-node.ts';
import { nodeBinaries } from '../harness/node/use-node.ts';

describe('node teardown', () => {
  it('removes everything the node made, leaving the machine as it was', async () => {
    assert.equal(process.env.FURNACE_TEST_NODE, undefined, 'runs before the run shared node starts');
    const binaries = nodeBinaries();
    const before = await snapshotMachine();
    const dir = await mkdtemp(join(tmpdir(), 'furnace-node-teardown-'));
    const state = await startNode(dir, binaries);
    const running = await snapshotMachine();
    // The node made what the teardown must remove: a bridge, pod mounts, its cgroup root, iptables rules.
    const made = machineDiff(before, running);
    assert.ok(
      made.some((l) => l.startsWith(`+ links: fnode${state.id}`)),
      made.join('\n'),
    );
    assert.ok(
      made.some((l) => l.startsWith('+ iptables filter: -A FORWARD')),
      made.join('\n'),
    );
    assert.ok(
      made.some((l) => l.startsWith('+ iptables nat: chain KUBE-SERVICES')),
      made.join('\n'),
    );
    assert.ok(
      made.some((l) => l === `+ cgroups: memory${state.cgroupRoot}`),
      made.join('\n'),
    );
    assert.ok((await mountsBelow(dir)).length > 0, 'the CoreDNS pod has mounts below the node directory');

    const left = await stopNode(dir);
    assert.deepEqual(left, []);
    assert.deepEqual(machineDiff(before, await snapshotMachine()), []);
    for (const pid of Object.values(state.pids))
      assert.equal(isAlive(pid), false, `process ${pid} of the node is gone`);
    assert.equal(await stat(dir).catch(() => 'gone'), 'gone');
  });
});
