// A process whose main thread ended with pthread_exit while another thread runs: its leader is a zombie
// (stat Z, empty cmdline, cgroup at the root, no mountinfo), its live thread's /proc/PID/task/TID entries
// describe it. A fake /proc tree stands in for the kernel's (the readers take procRoot); the process tier
// (test/process/zombie-leader-record.test.ts) records a real such process.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { scanCgroups } from '../../../sidecar/continuous/cgroup-scan.ts';
import { liveProcDir } from '../../../sidecar/host/live-task.ts';
import { ownerInScope } from '../../../sidecar/host/pod-cgroup.ts';
import { isProcessGone, readProcessTable } from '../../../sidecar/host/proc-table.ts';
import { selectProcesses } from '../../../sidecar/host/process-select.ts';
import { chooseCallGraph } from '../../../sidecar/profilers/perf/call-graph/choose-call-graph.ts';
import { readCgroupId } from '../../../sidecar/profilers/bpftrace/cgroup-ids.ts';

const UID = '0aa0ed2c-3d7b-4c5e-a5b4-3d1b8a2b6b8e';
const ID = '8c1f0e1bd4a5e0a1f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819';
const POD_CGROUP = `0::/kubepods.slice/kubepods-pod${UID.replace(/-/g, '_')}.slice/cri-containerd-${ID}.scope\n`;
const MOUNTINFO = `1510 1490 8:1 /var/lib/kubelet/pods/${UID}/containers/app/0a1b2c3d /dev/termination-log rw - ext4 /dev/sda1 rw\n`;

function stat(pid: number, state: string): string {
  // pid (comm) state ppid … starttime (22nd field) …
  return `${pid} (spin) ${state} 1 ${pid} ${pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 2 0 4778322 0 0\n`;
}

/** A task directory: stat, and for a live task the entries a running thread has. */
async function writeTask(dir: string, pid: number, state: string, live: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'stat'), stat(pid, state));
  await writeFile(join(dir, 'cmdline'), live ? './spin-forever\0--threads\0' : '');
  await writeFile(join(dir, 'cgroup'), live ? POD_CGROUP : '0::/\n');
  await writeFile(
    join(dir, 'maps'),
    live ? '55d0a000-55d0b000 r-xp 00001000 08:01 42 /opt/spin-forever\n' : '',
  );
  if (live) {
    await writeFile(join(dir, 'mountinfo'), MOUNTINFO);
    await symlink('/opt/spin-forever', join(dir, 'exe'));
  }
}

/** Process `pid` with a zombie leader, and `liveThreads` more threads (none: the whole process has exited). */
async function writeProcess(root: string, pid: number, liveThreads: number): Promise<void> {
  const dir = join(root, String(pid));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'status'), `Name:\tspin\nState:\tZ (zombie)\nPPid:\t1\nNSpid:\t${pid}\n`);
  await writeTask(dir, pid, 'Z', false);
  await writeTask(join(dir, 'task', String(pid)), pid, 'Z', false);
  for (let i = 1; i <= liveThreads; i++)
    await writeTask(join(dir, 'task', String(pid + i)), pid + i, 'R', true);
}

async function fakeProc(t: TestContext): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'fake-proc-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await writeFile(join(root, 'uptime'), '50000.00 90000.00\n');
  await writeProcess(root, 4100, 1); // main ended with pthread_exit, one thread spins on
  await writeProcess(root, 4200, 0); // exited: only the zombie is left
  return root;
}

describe('a process whose main thread has exited (fake /proc tree)', () => {
  it('is still there while a thread lives, and gone once only the zombie is left', async (t) => {
    const root = await fakeProc(t);
    assert.equal(await isProcessGone(4100, root), false);
    assert.equal(await isProcessGone(4200, root), true);
    assert.equal(await liveProcDir(4100, root), join(root, '4100', 'task', '4101'));
  });

  it("is listed with its live thread's command line and pod container, and chosen by a pattern (sidecar)", async (t) => {
    const root = await fakeProc(t);
    const table = await readProcessTable({ procRoot: root, withContainers: true });
    const spin = table.find((p) => p.pid === 4100);
    assert.equal(spin?.cmdline, './spin-forever --threads');
    assert.equal(spin.podUid, UID);
    assert.equal(spin.container, 'app');
    const context = { mode: 'pod' as const, podUid: UID, selfPid: 7, nestedPidNamespace: true };
    const chosen = selectProcesses(table, { processPattern: 'spin-forever' }, context);
    assert.deepEqual(
      chosen.map((p) => p.pid),
      [4100],
    );
    assert.deepEqual(
      selectProcesses(table, { container: 'app' }, context).map((p) => p.pid),
      [4100],
    );
  });

  it('belongs to its pod by the cgroup of its live thread (node agent)', async (t) => {
    const root = await fakeProc(t);
    const cgroupOwner = ownerInScope({ podUid: UID, containers: [{ name: 'app', id: ID }] });
    const table = await readProcessTable({ procRoot: root, withContainers: true, cgroupOwner });
    const spin = table.find((p) => p.pid === 4100);
    assert.deepEqual({ podUid: spin?.podUid, container: spin?.container }, { podUid: UID, container: 'app' });
    const target = { namespace: 'ns', pod: 'spin', podUid: UID, workload: 'Pod/spin' };
    const scan = await scanCgroups([{ ...target, containers: [{ name: 'app', id: ID }] }], root);
    assert.deepEqual([...scan.owners.keys()], [4100]);
  });

  it("has its executable, maps and cgroup read from the live thread (call graph, bpftrace's scope)", async (t) => {
    const root = await fakeProc(t);
    const checked: string[] = [];
    const decision = await chooseCallGraph('auto', [4100], {
      procRoot: root,
      check: (at, path) => {
        checked.push(`${at}:${path}`);
        return Promise.resolve({ name: path, framePointers: 'yes', why: 'fake check' });
      },
    });
    assert.deepEqual(checked, [`${join(root, '4100', 'task', '4101')}/root:/opt/spin-forever`]);
    assert.equal(decision.used, 'fp');
    const cgroupId = await readCgroupId(4100, root);
    assert.doesNotMatch('reason' in cgroupId ? cgroupId.reason : '', /root cgroup/);
  });
});
