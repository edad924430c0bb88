// Where a target's cgroup v2 directory is, from /proc/PID/cgroup and mountinfo texts as a hybrid node, a
// container that sees only its own cgroup, and a v1-only node write them (sidecar/profilers/bpftrace/cgroup-ids.ts).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  cgroup2MountsOf,
  cgroupDirectoryOf,
  readCgroupId,
  unifiedPathOf,
} from '../../../sidecar/profilers/bpftrace/cgroup-ids.ts';

const POD = '/furnace-node-ab12/kubepods/besteffort/pod5e0c1a2b-1111-4222-8333-944445555666';
const CONTAINER = `${POD}/${'c'.repeat(64)}`;

const HYBRID_CGROUP = `12:perf_event:${CONTAINER}\n4:memory:${CONTAINER}\n1:name=systemd:${CONTAINER}\n0::${CONTAINER}\n`;
const HYBRID_MOUNTINFO = [
  '30 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw,nsdelegate',
  '32 30 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:6 - cgroup cgroup rw,memory',
].join('\n');
// A container's own view: the unified tree bind-mounted from its own cgroup.
const CONTAINER_MOUNTINFO = `900 890 0:27 ${CONTAINER} /sys/fs/cgroup/unified ro,nosuid - cgroup2 cgroup rw\n`;

describe('cgroup v2 IDs of targets', () => {
  it("reads the v2 line of /proc/PID/cgroup, and none from a v1-only process's", () => {
    assert.equal(unifiedPathOf(HYBRID_CGROUP), CONTAINER);
    assert.equal(unifiedPathOf(`4:memory:${CONTAINER}\n1:name=systemd:${CONTAINER}\n`), undefined);
    assert.equal(unifiedPathOf('0::/\n'), '/');
  });

  it('finds cgroup2 mounts only, with escaped mount points undone', () => {
    assert.deepEqual(cgroup2MountsOf(HYBRID_MOUNTINFO), [
      { root: '/', mountPoint: '/sys/fs/cgroup/unified' },
    ]);
    assert.deepEqual(cgroup2MountsOf('40 1 0:27 /a\\040b /mnt/c\\040g rw - cgroup2 cgroup2 rw\n'), [
      { root: '/a b', mountPoint: '/mnt/c g' },
    ]);
  });

  it("places the cgroup under the whole tree's mount, or under a mount of the cgroup or one above it", () => {
    const whole = cgroup2MountsOf(HYBRID_MOUNTINFO);
    assert.equal(cgroupDirectoryOf(CONTAINER, whole), `/sys/fs/cgroup/unified${CONTAINER}`);
    const own = cgroup2MountsOf(CONTAINER_MOUNTINFO);
    assert.equal(cgroupDirectoryOf(CONTAINER, own), '/sys/fs/cgroup/unified');
    assert.equal(cgroupDirectoryOf(`${CONTAINER}/sub`, own), '/sys/fs/cgroup/unified/sub');
    // Another container of the pod is not under this container's mount; nor a name that only starts alike.
    assert.equal(cgroupDirectoryOf(`${POD}/${'d'.repeat(64)}`, own), undefined);
    assert.equal(cgroupDirectoryOf(`${CONTAINER}x`, own), undefined);
    assert.equal(cgroupDirectoryOf(CONTAINER, []), undefined);
  });

  it("places a cgroup above the reader's cgroup namespace only under a mount whose root climbs as far", () => {
    // The agent in a cgroup namespace two levels deep (a v2 node): the target's path and the node init's
    // mount of the whole tree, as the agent reads them, both start with `/../..`.
    const target = `/../..${CONTAINER}`;
    const nodeRoot = cgroup2MountsOf('31 1 0:27 /../.. /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n');
    assert.equal(cgroupDirectoryOf(target, nodeRoot), `/sys/fs/cgroup${CONTAINER}`);
    // Its own namespace's root (`/`) does not reach there, nor does a mount one level up: `..` never walks out.
    const own = cgroup2MountsOf('40 30 0:27 / /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n');
    assert.equal(cgroupDirectoryOf(target, own), undefined);
    const oneUp = cgroup2MountsOf('41 30 0:27 /.. /mnt rw - cgroup2 cgroup2 rw\n');
    assert.equal(cgroupDirectoryOf(target, oneUp), undefined);
    assert.equal(cgroupDirectoryOf(`/../..${POD}/../../../x`, nodeRoot), undefined);
  });

  it("finds the cgroup under its parents' mounts, then PID 1's, when neither the recorder nor the target shows it (the node agent)", async (t) => {
    // A /proc as the agent's container sees it on a hybrid node: its own mountinfo and the target's show only
    // v1 hierarchies; the target's parent (the runtime's shim, host mount namespace) has the whole cgroup2 tree.
    const proc = await mkdtemp(join(tmpdir(), 'furnace-cgroup-ids-'));
    t.after(() => rm(proc, { recursive: true, force: true }));
    const v1Only = '32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';
    const write = async (pid: string, file: string, text: string) => {
      await mkdir(join(proc, pid), { recursive: true });
      await writeFile(join(proc, pid, file), text);
    };
    await write('self', 'mountinfo', v1Only);
    await write('4242', 'mountinfo', v1Only);
    await write('4242', 'cgroup', HYBRID_CGROUP);
    await write('4242', 'status', 'Name:\tapp\nPPid:\t77\n');
    await write('77', 'status', 'Name:\tcontainerd-shim\nPPid:\t1\n');
    await write('77', 'mountinfo', HYBRID_MOUNTINFO);
    const directory = join(proc, '77', 'root', 'sys/fs/cgroup/unified', CONTAINER);
    await mkdir(directory, { recursive: true });
    const expected = Number((await stat(directory, { bigint: true })).ino);
    assert.deepEqual(await readCgroupId(4242, proc), { id: expected });
    // A target whose parents are out of sight (no status): PID 1's view.
    await rm(join(proc, '4242', 'status'));
    await write('1', 'mountinfo', HYBRID_MOUNTINFO);
    const fromInit = join(proc, '1', 'root', 'sys/fs/cgroup/unified', CONTAINER);
    await mkdir(fromInit, { recursive: true });
    const init = Number((await stat(fromInit, { bigint: true })).ino);
    assert.deepEqual(await readCgroupId(4242, proc), { id: init });
    // No view at all: nothing to scope by, and the reason says so.
    await write('1', 'mountinfo', v1Only);
    const missing = await readCgroupId(4242, proc, () => Promise.resolve(false));
    assert.deepEqual(missing, {
      reason: `no cgroup2 mount the recorder or process 4242 sees shows ${CONTAINER}, and mounting one of its own failed`,
    });
  });

  it("places a cgroup above the reader's cgroup namespace only under a mount whose root climbs as far", () => {
    // The agent in a cgroup namespace two levels deep (a v2 node): the target's path and the node init's
    // mount of the whole tree, as the agent reads them, both start with `/../..`.
    const target = `/../..${CONTAINER}`;
    const nodeRoot = cgroup2MountsOf('31 1 0:27 /../.. /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n');
    assert.equal(cgroupDirectoryOf(target, nodeRoot), `/sys/fs/cgroup${CONTAINER}`);
    // Its own namespace's root (`/`) does not reach there, nor does a mount one level up: `..` never walks out.
    const own = cgroup2MountsOf('40 30 0:27 / /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n');
    assert.equal(cgroupDirectoryOf(target, own), undefined);
    const oneUp = cgroup2MountsOf('41 30 0:27 /.. /mnt rw - cgroup2 cgroup2 rw\n');
    assert.equal(cgroupDirectoryOf(target, oneUp), undefined);
    assert.equal(cgroupDirectoryOf(`/../..${POD}/../../../x`, nodeRoot), undefined);
  });

  it("finds the cgroup under PID 1's mounts when neither the recorder nor the target shows it (the node agent)", async (t) => {
    // A /proc as the agent's container sees it on a hybrid node: its own mountinfo and the target's show only
    // v1 hierarchies; the node's init (PID 1, host PID namespace) has the whole cgroup2 tree.
    const proc = await mkdtemp(join(tmpdir(), 'furnace-cgroup-ids-'));
    t.after(() => rm(proc, { recursive: true, force: true }));
    const v1Only = '32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';
    for (const [pid, mountinfo] of [
      ['self', v1Only],
      ['4242', v1Only],
      ['1', HYBRID_MOUNTINFO],
    ] as const) {
      await mkdir(join(proc, pid), { recursive: true });
      await writeFile(join(proc, pid, 'mountinfo'), mountinfo);
    }
    await writeFile(join(proc, '4242', 'cgroup'), HYBRID_CGROUP);
    const directory = join(proc, '1', 'root', 'sys/fs/cgroup/unified', CONTAINER);
    await mkdir(directory, { recursive: true });
    const expected = Number((await stat(directory, { bigint: true })).ino);
    assert.deepEqual(await readCgroupId(4242, proc), { id: expected });
    // Without PID 1's view there is nothing to scope by, and the reason says so.
    await writeFile(join(proc, '1', 'mountinfo'), v1Only);
    const missing = await readCgroupId(4242, proc, () => Promise.resolve(false));
    assert.deepEqual(missing, {
      reason: `no cgroup2 mount the recorder or process 4242 sees shows ${CONTAINER}, and mounting one of its own failed`,
    });
  });
});
