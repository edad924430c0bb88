// The node agent's symbols for a pod's process, with what the agent holds on a real node: real perf with
// CAP_SYS_ADMIN and CAP_SYS_CHROOT dropped (capsh, as the DaemonSet's `drop: [ALL]` + PERFMON, SYS_PTRACE,
// SYSLOG, DAC_READ_SEARCH leaves them out), recording the hot program that runs from a tmpfs mounted in a
// mount namespace of its own (a container's root: the file is not at its path in the recorder's
// filesystem). perf cannot enter that namespace, so without the agent's --symfs tree perf script names
// nothing; with the copies the agent reads through /proc/PID/root, it names furnace_heavy at its share.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { collapsePerfScript } from '../../core/stacks/collapse-perf.ts';
import { formatFolded } from '../../core/stacks/folded.ts';
import { cacheTargetBinaries } from '../../sidecar/symbols/binary-cache.ts';
import { createSymbolTree } from '../../sidecar/profilers/perf/perf-symfs.ts';
import { perfScriptArgs } from '../../sidecar/profilers/perf/perf-script.ts';
import { commandRunner } from '../../sidecar/symbols/image-symbols.ts';
import { spawnHelper } from '../../sidecar/host/spawn-helper.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { run, startProcess } from '../harness/processes.ts';
import { eventually } from '../harness/eventually.ts';

/** Runs a command with the agent's capabilities: all that perf would need to enter another mount namespace gone. */
async function asAgent(command: string[]): Promise<string> {
  const quoted = command.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  const { stdout } = await run(
    'capsh',
    ['--drop=cap_sys_admin,cap_sys_chroot', '--', '-c', `exec ${quoted}`],
    {
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  return stdout;
}

/** The hot program run from a tmpfs that only its own mount namespace sees (a container's root). */
async function hotInOwnNamespace(t: TestContext, dir: string): Promise<{ pid: number; path: string }> {
  const program = await buildHotProgram(dir);
  const root = join(dir, 'container-root');
  const path = join(root, 'furnace-hot');
  await mkdir(root);
  // unshare and sh exec the program: the started PID is the program's once it runs.
  const script = `mount -t tmpfs none '${root}' && cp '${program}' '${path}' && exec '${path}' 60 100`;
  const started = startProcess(t, 'unshare', ['-m', '--propagation', 'private', 'sh', '-c', script]);
  await eventually(
    async () => ((await readlink(`/proc/${started.pid}/exe`)) === path ? true : undefined),
    10_000,
    `the program running from its namespace's tmpfs: ${started.output()}`,
  );
  return { pid: started.pid, path };
}

/** perf script as the agent runs it, collapsed. */
async function scriptAsAgent(dir: string, symfsDir?: string): Promise<string> {
  const text = await asAgent([
    'perf',
    ...perfScriptArgs(join(dir, 'perf.data'), join(dir, 'buildid'), symfsDir),
  ]);
  return formatFolded(await collapsePerfScript(Readable.from([text])));
}

describe('agent symbols in a pod’s mount namespace (real perf, the agent’s capabilities)', () => {
  it('names the hot function of a process that ran before perf attached, through the --symfs tree', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'furnace-agent-symfs-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const { pid, path } = await hotInOwnNamespace(t, dir);
    await assert.rejects(copyFile(path, join(dir, 'seen')), 'the binary is not at its path out here');
    const runCommand = commandRunner(spawnHelper, process.env);
    const tree = createSymbolTree(join(dir, 'symfs'));
    const cached = await cacheTargetBinaries(runCommand, {
      perfPath: 'perf',
      buildIdDir: join(dir, 'buildid'),
      workDir: join(dir, 'binaries'),
      pids: [pid],
      keep: (copy, binary) => tree.place(copy, binary),
    });
    assert.ok(cached.added >= 1, 'the program and its libraries in the build-id cache');
    assert.ok(existsSync(`${tree.dir}${path}`), 'the program copied through /proc/PID/root into the tree');
    await asAgent([
      'perf',
      '--buildid-dir',
      join(dir, 'buildid'),
      'record',
      '-e',
      'cpu-clock',
      '-F',
      '199',
      '-g',
      '-p',
      String(pid),
      '-o',
      join(dir, 'perf.data'),
      '--buildid-mmap',
      '--',
      'sleep',
      '3',
    ]);
    const without = await scriptAsAgent(dir);
    const withTree = await scriptAsAgent(dir, tree.dir);
    const heavy = samplesOf(withTree, 'furnace_heavy');
    const light = samplesOf(withTree, 'furnace_light');
    t.diagnostic(`with the tree: furnace_heavy ${heavy}, furnace_light ${light} samples`);
    assert.equal(
      samplesOf(without, 'furnace_heavy'),
      0,
      'perf alone cannot name it (the gap the tree closes)',
    );
    assert.ok(
      heavy > light * 1.5 && light > 0,
      `furnace_heavy named at its share:\n${withTree.slice(0, 1500)}`,
    );
  });
});
