// The node agent tells pods apart by /proc/PID/cgroup: lines as containerd, CRI-O and Docker nodes write
// them with the systemd and cgroupfs drivers, on cgroup v1 and v2, and what must not pass for a pod's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  containerNamesById,
  ownerInScope,
  ownerOfCgroupPath,
  parseProcCgroup,
} from '../../../sidecar/host/pod-cgroup.ts';

const UID = '0aa0ed2c-3d7b-4c5e-a5b4-3d1b8a2b6b8e';
const UID_ = UID.replace(/-/g, '_');
const ID = '8c1f0e1bd4a5e0a1f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819';
const OTHER = 'f'.repeat(64);
const owner = { podUid: UID, containerId: ID };

describe('parseProcCgroup', () => {
  it('reads containerd with the systemd driver on cgroup v2, for every QoS class', () => {
    for (const qos of ['besteffort', 'burstable']) {
      const path = `/kubepods.slice/kubepods-${qos}.slice/kubepods-${qos}-pod${UID_}.slice/cri-containerd-${ID}.scope`;
      assert.deepEqual(parseProcCgroup(`0::${path}\n`), owner, qos);
    }
    // Guaranteed pods sit right under kubepods.slice.
    assert.deepEqual(
      parseProcCgroup(`0::/kubepods.slice/kubepods-pod${UID_}.slice/cri-containerd-${ID}.scope\n`),
      owner,
    );
  });

  it('reads CRI-O, with the container subgroup crun makes on cgroup v2, and never takes conmon for the container', () => {
    const pod = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`;
    assert.deepEqual(parseProcCgroup(`0::${pod}/crio-${ID}.scope\n`), owner);
    assert.deepEqual(parseProcCgroup(`0::${pod}/crio-${ID}.scope/container\n`), owner);
    assert.equal(parseProcCgroup(`0::${pod}/crio-conmon-${ID}.scope\n`), undefined);
  });

  it('reads cgroup v1 lines (containerd and Docker with cgroupfs, CRI-O with systemd) beside an empty v2 line', () => {
    const cgroupfs = [
      `12:pids:/kubepods/besteffort/pod${UID}/${ID}`,
      `11:memory:/kubepods/besteffort/pod${UID}/${ID}`,
      `4:cpu,cpuacct:/kubepods/besteffort/pod${UID}/${ID}`,
      `1:name=systemd:/kubepods/besteffort/pod${UID}/${ID}`,
      '0::/',
      '',
    ].join('\n');
    assert.deepEqual(parseProcCgroup(cgroupfs), owner);
    assert.deepEqual(parseProcCgroup(`3:cpuset:/kubepods/pod${UID}/${ID}\n`), owner, 'Guaranteed, cgroupfs');
    const docker = `9:memory:/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/docker-${ID}.scope\n`;
    assert.deepEqual(parseProcCgroup(docker), owner);
    const crio = `2:cpu,cpuacct:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/crio-${ID}.scope\n`;
    assert.deepEqual(parseProcCgroup(crio), owner);
  });

  it("reads containerd's slice:prefix:name form, left under containerd.service when the drivers differ", () => {
    const line = `0::/system.slice/containerd.service/kubepods-burstable-pod${UID_}.slice:cri-containerd:${ID}\n`;
    assert.deepEqual(parseProcCgroup(line), owner);
  });

  it("reads paths relative to the reader's cgroup namespace (/.. first) and nested nodes (kind)", () => {
    const relative = `0::/../../kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/cri-containerd-${ID}.scope\n`;
    assert.deepEqual(parseProcCgroup(relative), owner);
    const kind = `0::/docker/${OTHER}/kubepods/besteffort/pod${UID}/${ID}\n`;
    assert.deepEqual(parseProcCgroup(kind), owner);
  });

  it('takes static pods, whose UID is a 32-digit hash', () => {
    const hash = '5f1d2d7e6c3b4a5f8e9d0c1b2a3f4e5d';
    assert.deepEqual(parseProcCgroup(`0::/kubepods/burstable/pod${hash}/${ID}\n`), {
      podUid: hash,
      containerId: ID,
    });
  });

  it('gives no owner to processes outside any container of a pod', () => {
    for (const path of [
      '/',
      '/system.slice/containerd.service',
      '/user.slice/user-1000.slice/session-3.scope',
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice`,
      '/kubepods.slice/kubepods-besteffort.slice',
      `/docker/${ID}/system.slice/kubelet.service`,
      `/system.slice/docker-${ID}.scope`,
      `/kubepods/besteffort/pod${UID}/not-a-container-id`,
    ]) {
      assert.equal(parseProcCgroup(`0::${path}\n`), undefined, path);
    }
    assert.equal(parseProcCgroup(''), undefined);
    assert.equal(parseProcCgroup('garbage without colons\n'), undefined);
  });

  it('keeps the outermost pod: a container that makes cgroups cannot pass for another pod by nesting its names', () => {
    const mine = `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/cri-containerd-${ID}.scope`;
    const victim = `kubepods-besteffort-pod${'1'.repeat(8)}_2222_3333_4444_${'5'.repeat(12)}.slice/cri-containerd-${OTHER}.scope`;
    assert.deepEqual(parseProcCgroup(`0::${mine}/${victim}\n`), owner);
  });

  it('refuses a process whose hierarchies name different pods or containers', () => {
    const text = [
      `4:memory:/kubepods/besteffort/pod${UID}/${ID}`,
      `0::/kubepods/besteffort/pod${UID}/${OTHER}`,
      '',
    ].join('\n');
    assert.equal(parseProcCgroup(text), undefined);
  });
});

describe('ownerOfCgroupPath', () => {
  it('is the same reading for one path', () => {
    assert.deepEqual(ownerOfCgroupPath(`/kubepods/pod${UID}/${ID}`), owner);
    assert.equal(ownerOfCgroupPath(`/kubepods/pod${UID}`), undefined);
  });
});

describe('containerNamesById', () => {
  it("maps the runtimes' container IDs to names, skipping statuses without one", () => {
    const names = containerNamesById([
      { name: 'app', containerID: `containerd://${ID}` },
      { name: 'log', containerID: `cri-o://${OTHER}` },
      { name: 'waiting' },
      { name: 'odd', containerID: 'containerd://short' },
    ]);
    assert.deepEqual(
      [...names],
      [
        [ID, 'app'],
        [OTHER, 'log'],
      ],
    );
  });
});

describe('ownerInScope', () => {
  const scope = { podUid: UID, containers: [{ name: 'app', id: ID }] };
  const line = (uid: string, id: string) =>
    `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid.replace(/-/g, '_')}.slice/cri-containerd-${id}.scope\n`;

  it("names the scope's containers and nothing else: not the sandbox, not another pod's process", () => {
    const ownerOf = ownerInScope(scope);
    assert.deepEqual(ownerOf(line(UID, ID)), { podUid: UID, container: 'app' });
    assert.equal(ownerOf(line(UID, OTHER)), undefined, "the pod's sandbox (pause) is no listed container");
    const otherPod = '11111111-2222-3333-4444-555555555555';
    assert.equal(ownerOf(line(otherPod, ID)), undefined, 'the same container ID under another pod');
    assert.equal(ownerOf('0::/system.slice/containerd.service\n'), undefined);
  });
});
