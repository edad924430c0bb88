import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FurnaceError } from '../../../core/contract/errors.ts';
import {
  descendantsOf,
  matchProcesses,
  parseMountinfoContainer,
  parseProcStatus,
  selectProcesses,
  type ProcessInfo,
  type SelectionContext,
} from '../../../sidecar/host/process-select.ts';
import { parseStartTicks } from '../../../sidecar/host/proc-table.ts';
import { ECHO_WINDOW_MS } from '../../../sidecar/host/request-echo.ts';
import { expectedError } from '../../harness/expected-error.ts';

const POD = '4f0c2b7e-93d1-4c55-a0c8-2d7e61b9f3a4';

// An app container of a containerd node (kubelet dir on the root filesystem).
const CONTAINERD_APP = `1520 1411 0:312 / / rw,relatime master:519 - overlay overlay rw,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/88/fs,upperdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/91/fs,workdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/91/work
1521 1520 0:315 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1522 1520 0:316 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
1525 1520 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw
1526 1520 259:1 /var/lib/kubelet/pods/${POD}/etc-hosts /etc/hosts rw,relatime - ext4 /dev/nvme0n1p1 rw
1527 1522 259:1 /var/lib/kubelet/pods/${POD}/containers/web/8f2c41d0 /dev/termination-log rw,relatime - ext4 /dev/nvme0n1p1 rw
1528 1520 259:1 /var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/6b1e0c5a9d7f/hostname /etc/hostname rw,relatime - ext4 /dev/nvme0n1p1 rw
1529 1520 0:311 / /var/run/secrets/kubernetes.io/serviceaccount ro,relatime - tmpfs tmpfs rw,size=3932160k
`;

// The same pod's second container on a CRI-O/OpenShift node: xfs, SELinux options, /var its own mount.
const CRIO_WORKER = `3110 3051 0:401 / / rw,relatime - overlay overlay rw,context="system_u:object_r:container_file_t:s0:c12,c25",lowerdir=/var/lib/containers/storage/overlay/l/ABC
3115 3110 253:4 /lib/kubelet/pods/${POD}/volumes/kubernetes.io~empty-dir/cache /cache rw,relatime - xfs /dev/mapper/coreos-var rw,seclabel,attr2,inode64,logbufs=8,logbsize=32k,prjquota
3117 3112 253:4 /lib/kubelet/pods/${POD}/containers/worker/1e9a07c3 /dev/termination-log rw,relatime - xfs /dev/mapper/coreos-var rw,seclabel,attr2,inode64,logbufs=8,logbsize=32k,prjquota
`;

// The injected sidecar itself, in a kind cluster (kubelet state under a docker volume).
const KIND_SIDECAR = `812 790 254:1 /docker/volumes/kind-control-plane/_data/lib/kubelet/pods/${POD}/containers/furnace/0447d6c5 /dev/termination-log rw,relatime - ext4 /dev/vda1 rw
`;

// A container whose name would need escaping, and a pod whose dir sits below a path with a space.
const ESCAPED = `900 880 8:1 /srv/kube\\040lib/kubelet/pods/${POD}/containers/db/3404dd90 /dev/termination-log rw,relatime - ext4 /dev/sda1 rw
`;

// A process of the node itself (no kubelet mount at all), and the pod's /pause (none either).
const HOST = `22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw,errors=remount-ro
`;

describe('parseMountinfoContainer', () => {
  it('finds pod and container in a containerd app container', () => {
    assert.deepEqual(parseMountinfoContainer(CONTAINERD_APP), { podUid: POD, container: 'web' });
  });
  it('finds them on CRI-O with a separate /var filesystem', () => {
    assert.deepEqual(parseMountinfoContainer(CRIO_WORKER), { podUid: POD, container: 'worker' });
  });
  it('names the sidecar container too, under a kind docker volume', () => {
    assert.deepEqual(parseMountinfoContainer(KIND_SIDECAR), { podUid: POD, container: 'furnace' });
  });
  it('unescapes octal escapes in mount roots', () => {
    assert.deepEqual(parseMountinfoContainer(ESCAPED), { podUid: POD, container: 'db' });
  });
  it('finds nothing for host processes and empty input', () => {
    assert.equal(parseMountinfoContainer(HOST), undefined);
    assert.equal(parseMountinfoContainer(''), undefined);
  });
  it('prefers the termination-log mount point over other kubelet container dirs', () => {
    const text = `1 0 8:1 /var/lib/kubelet/pods/${POD}/containers/other/aaaa0000 /mnt/x rw - ext4 /dev/sda1 rw
2 0 8:1 /var/lib/kubelet/pods/${POD}/containers/web/bbbb1111 /dev/termination-log rw - ext4 /dev/sda1 rw
`;
    assert.equal(parseMountinfoContainer(text)?.container, 'web');
  });
});

describe('parseProcStatus', () => {
  it('reads the name, parent and innermost namespace pid', () => {
    const status =
      'Name:\tnode\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t81234\nNgid:\t0\nPid:\t81234\nPPid:\t81200\nNSpid:\t81234\t7\n';
    assert.deepEqual(parseProcStatus(status), { ppid: 81200, comm: 'node', nspid: 7 });
    assert.deepEqual(parseProcStatus('Name:\tinit\nPPid:\t0\n'), { ppid: 0, comm: 'init' });
  });
});

function proc(pid: number, ppid: number, cmdline: string, container?: string, podUid = POD): ProcessInfo {
  const comm = (cmdline.split(' ')[0] ?? '').split('/').at(-1) ?? '';
  const base: ProcessInfo = { pid, ppid, comm, cmdline, nspid: pid };
  return container === undefined ? base : { ...base, podUid, container };
}

const table: ProcessInfo[] = [
  proc(1, 0, '/sbin/init'),
  proc(2, 0, ''), // a kernel thread
  proc(100, 1, '/pause', undefined),
  proc(200, 1, '/usr/local/bin/node /app/server.js --port 8080', 'web'),
  proc(201, 200, '/usr/bin/sh -c gzip', 'web'),
  proc(300, 1, '/usr/bin/python3 worker.py', 'worker'),
  proc(400, 1, 'node --import tsx sidecar/main.ts', 'furnace'),
  proc(401, 400, 'perf record -p 200', 'furnace'),
  proc(500, 1, '/usr/bin/python3 other-pod.py', 'app', 'another-pod-uid'),
];

const pod: SelectionContext = { mode: 'pod', podUid: POD, selfPid: 400, nestedPidNamespace: false };
const local: SelectionContext = { mode: 'local', selfPid: 400, nestedPidNamespace: false };

function pids(list: ProcessInfo[]): number[] {
  return list.map((p) => p.pid);
}

const refusal = (request: Parameters<typeof selectProcesses>[1], ctx: SelectionContext) =>
  expectedError(
    FurnaceError,
    () => selectProcesses(table, request, ctx),
    'expected the selection to be refused',
  );

describe('selectProcesses', () => {
  it("takes the pod's app containers by default: never the sidecar, /pause, other pods or the node", () => {
    assert.deepEqual(pids(selectProcesses(table, {}, pod)), [200, 201, 300]);
  });

  it('narrows to one container, a pid or a pattern', () => {
    assert.deepEqual(pids(selectProcesses(table, { container: 'worker' }, pod)), [300]);
    assert.deepEqual(pids(selectProcesses(table, { pid: 201 }, pod)), [201]);
    assert.deepEqual(
      pids(selectProcesses(table, { container: 'web', processPattern: 'server\\.js' }, pod)),
      [200],
    );
  });

  it('says what was searched when nothing matches', () => {
    const error = refusal({ container: 'db' }, pod);
    assert.equal(error.code, 'ERR_NO_MATCHING_PROCESS');
    assert.equal(error.status, 400);
    assert.match(error.message, /container "db"/);
    assert.match(error.message, /3 processes searched/);
    assert.match(refusal({ pid: 500 }, pod).message, /pid 500 in the containers of pod/);
    assert.match(
      refusal({ processPattern: 'perf' }, pod).message,
      /no process matches \/perf\/ \(processPattern\)/,
    );
  });

  it('in a shared PID namespace without kubelet mounts, takes the namespace minus the sidecar and /pause', () => {
    const bare = table.map(({ podUid: _p, container: _c, ...rest }) => rest);
    const nested = { ...pod, nestedPidNamespace: true };
    assert.deepEqual(pids(selectProcesses(bare, {}, nested)), [1, 200, 201, 300, 500]);
    assert.throws(() => selectProcesses(bare, {}, pod), /no process matches any process/);
  });

  it('in local mode requires a pid or a pattern and matches like pgrep -f', () => {
    const error = refusal({}, local);
    assert.equal(error.code, 'ERR_INVALID_PARAMETER');
    assert.match(error.message, /pid or processPattern is required/);
    assert.deepEqual(pids(selectProcesses(table, { processPattern: 'python3 .*\\.py' }, local)), [300, 500]);
    assert.deepEqual(pids(selectProcesses(table, { processPattern: '^/usr/local/bin/node' }, local)), [200]);
    assert.deepEqual(pids(selectProcesses(table, { pid: 300 }, local)), [300]);
  });

  it('never chooses the sidecar or its children, even by pid or a pattern that matches them', () => {
    assert.match(refusal({ pid: 401 }, local).message, /pid 401 in the processes of this machine/);
    assert.deepEqual(pids(selectProcesses(table, { processPattern: 'node' }, local)), [200]);
  });

  it('skips kernel threads', () => {
    assert.match(refusal({ pid: 2 }, local).message, /no process matches pid 2/);
  });
});

describe('helpers', () => {
  it('finds descendants transitively', () => {
    assert.deepEqual(
      [...descendantsOf(table, 1)].sort((a, b) => a - b),
      [1, 100, 200, 201, 300, 400, 401, 500],
    );
  });
  it('prefers processes whose name matches over those whose arguments merely mention the pattern', () => {
    // The kernel keeps 15 characters of a name: `furnace_hot_123`.
    const app = { ...proc(10, 1, '/opt/bin/furnace_hot_123456_789 120'), comm: 'furnace_hot_123' };
    const client = proc(11, 1, `curl -d {"processPattern":"hot_123456"} http://127.0.0.1:8080/`);
    assert.deepEqual(
      matchProcesses([app, client], 'hot_123456').map((p) => p.pid),
      [10],
      'argv[0] is matched beyond the 15 characters of the kernel name',
    );
  });
  it('falls back to the full command line when no name matches, like pgrep -f', () => {
    const java = proc(20, 1, '/usr/bin/java -cp app.jar com.example.Main');
    assert.deepEqual(
      matchProcesses([java, proc(21, 1, '/bin/sleep 10')], 'com\\.example\\.Main').map((p) => p.pid),
      [20],
    );
  });
  it('matches a process without a command line by its name', () => {
    const kworker = { pid: 9, ppid: 2, comm: 'kworker/0:1', cmdline: '', nspid: 9 };
    assert.deepEqual(
      matchProcesses([kworker], 'kworker').map((p) => p.pid),
      [9],
    );
  });
  it('stops a pattern that backtracks without end and refuses it, naming the field and the time limit', () => {
    const victim = proc(30, 1, `/bin/app ${'a'.repeat(40)}!`);
    assert.throws(
      () => matchProcesses([victim], '^.*(a+)+$', 100),
      (error: unknown) => {
        assert.ok(error instanceof FurnaceError);
        assert.equal(error.status, 400);
        assert.match(error.message, /processPattern \/\^\.\*\(a\+\)\+\$\/ took longer than 100 ms/);
        assert.deepEqual(error.details, { field: 'processPattern', value: '^.*(a+)+$', limit: '100 ms' });
        return true;
      },
    );
  });

  it('does not refuse a simple pattern whose test a loaded machine held past the limit without running it', () => {
    // The name waits 300 ms the first time it is read, using no CPU: as a thread the machine does not run.
    // The limit is on the CPU the test spends, so the wait is not the pattern's: it is tried again.
    let reads = 0;
    const waiting = {
      toString(): string {
        reads += 1;
        if (reads === 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
        return 'app';
      },
    };
    const starved = { ...proc(31, 1, '/bin/app --port 80'), comm: waiting as unknown as string };
    assert.deepEqual(
      matchProcesses([starved], '^app$', 100).map((p) => p.pid),
      [31],
    );
    assert.ok(reads >= 2, 'tried again after the wait');
  });
  it("leaves out the request's own client and anything started after the request, and says so", () => {
    const arrived = 1_000_000;
    const at = (p: ProcessInfo, startedAtMs: number): ProcessInfo => ({ ...p, startedAtMs });
    const curl = at(
      proc(60, 1, `curl -d {"processPattern":"my-server"} http://127.0.0.1:8080/`),
      arrived - 40,
    );
    const after = at(proc(61, 1, '/usr/bin/java -jar my-server.jar'), arrived + 1000);
    const ctx: SelectionContext = { ...local, requestedAtMs: arrived };
    const error = expectedError(
      FurnaceError,
      () => selectProcesses([curl, after], { processPattern: 'my-server' }, ctx),
      'refused',
    );
    assert.equal(error.code, 'ERR_NO_MATCHING_PROCESS');
    assert.equal(error.status, 400);
    assert.match(
      error.message,
      /^no process matches \/my-server\/ \(processPattern\) in the processes of this machine/,
    );
    assert.match(error.message, /left out 60 \(curl\)/);
    assert.equal((error.details as { field?: string }).field, 'processPattern');
    // A program older than the window is found by its command line as before, even holding the pattern.
    const old = at(proc(62, 1, '/usr/bin/java -jar my-server.jar'), arrived - ECHO_WINDOW_MS - 1);
    assert.deepEqual(pids(selectProcesses([curl, old], { processPattern: 'my-server' }, ctx)), [62]);
    // A young program whose command line matches without spelling out the pattern is still found.
    const young = at(proc(63, 1, '/usr/bin/node /srv/local-app.js'), arrived - 300);
    const jsonCurl = at(proc(64, 1, 'curl -d {"processPattern":"local-app\\\\.js"}'), arrived - 20);
    assert.deepEqual(
      pids(selectProcesses([young, jsonCurl], { processPattern: 'local-app\\.js' }, ctx)),
      [63],
    );
    // Started after the request: never, even by its name (start times are taken 50 ms loosely).
    const later = at(proc(66, 1, '/opt/my-server --port 2'), arrived + 1000);
    const early = at(proc(67, 1, '/opt/my-server --port 3'), arrived + 20);
    assert.deepEqual(pids(selectProcesses([later, early], { processPattern: 'my-server' }, ctx)), [67]);
    // By name a young process is chosen: the caller asked for that name.
    const named = at(proc(65, 1, '/opt/my-server --port 1'), arrived - 10);
    assert.deepEqual(pids(selectProcesses([named, curl], { processPattern: 'my-server' }, ctx)), [65]);
  });

  it('reads the start time from /proc/PID/stat, whatever the name holds', () => {
    const stat = '4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 987654 1000 100';
    assert.equal(parseStartTicks(stat), 987654);
  });
});
