// The off-CPU recorder with exactly the capabilities the operator gives the node agent (AGENT_CAPABILITIES
// in operator/furnace/plan-agent.ts, as the bounding set of a root process with no_new_privs, which is what
// `drop: [ALL]`, `add: [...]` and `allowPrivilegeEscalation: false` leave a container): the real bpftrace
// runs Furnace's own scheduler program (sched-program.ts) scoped to the waiting C program, with the
// environment the agent gives it (btf-env.ts), and names its read() and nanosleep() waits. Without CAP_BPF it
// cannot create its maps, which is why the agent holds it; without BPFTRACE_BTF it finds no kernel types.
// The agent's tracefs and seccomp profile are the node tier's (test/node/offcpu-real-pods.test.ts › agent).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { AGENT_CAPABILITIES } from '../../operator/furnace/plan-agent.ts';
import { catchesSigint } from '../../sidecar/profilers/bpftrace/bpftrace-runner.ts';
import { bpftraceBtfEnv } from '../../sidecar/profilers/bpftrace/btf-env.ts';
import { schedProgram } from '../../sidecar/profilers/sched/sched-program.ts';
import { eventually } from '../harness/eventually.ts';
import { startProcess, type RunningProcess } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { buildWaitingProgram } from '../harness/waiting-program.ts';

/** setpriv's arguments for a root process that can hold these capabilities only, and never gain others. */
function withCapabilities(capabilities: readonly string[]): string[] {
  const set = ['-all', ...capabilities.map((c) => `+${c.toLowerCase()}`)].join(',');
  return ['--bounding-set', set, '--inh-caps', '-all', '--no-new-privs'];
}

/**
 * SIGINT as the sidecar's runner sends it (sidecar/profilers/bpftrace/bpftrace-runner.ts): while bpftrace's
 * handler is installed, and again each half second while it stays, since bpftrace 0.17 drops a SIGINT that lands
 * between installing its handler and polling its events and then runs on (one such SIGINT, sent once, held this
 * file to its 300-s limit on a loaded machine). Once the handler is gone bpftrace is printing its maps. Killed,
 * failing the test with its output, if it has not exited a minute on.
 */
async function interruptUntilHeard(bpftrace: RunningProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  let signalled = false;
  while (bpftrace.child.exitCode === null && bpftrace.child.signalCode === null) {
    if (Date.now() > deadline) {
      bpftrace.child.kill('SIGKILL');
      throw new Error(`bpftrace did not exit within 60 s of its first SIGINT:\n${bpftrace.output()}`);
    }
    if (await catchesSigint(bpftrace.pid)) {
      bpftrace.interrupt();
      signalled = true;
    } else if (signalled) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** bpftrace with these capabilities on the offcpu program for pid: its output once stopped, and exit code. */
async function recordOffcpu(
  t: TestContext,
  dir: string,
  pid: number,
  capabilities: readonly string[],
  env: Record<string, string>,
) {
  const program = join(dir, `offcpu-${capabilities.length}-${Object.keys(env).length}.bt`);
  const scope = { pidNamespaces: [], pids: [pid] };
  await writeFile(program, schedProgram({ profile: 'offcpu', scope, minBlockedNs: 10_000, frequency: 99 }));
  const bpftrace = startProcess(t, 'setpriv', [...withCapabilities(capabilities), 'bpftrace', program], {
    cleanEnv: true,
    env,
  });
  // LLVM compiles the program first (seconds; a minute on a busy machine), then bpftrace attaches.
  const attached = await eventually(
    () => {
      if (/Attaching \d+ probes/.test(bpftrace.output())) return Promise.resolve(true);
      if (bpftrace.child.exitCode !== null) return Promise.resolve(false);
      return Promise.resolve(undefined);
    },
    120_000,
    'bpftrace to attach or exit',
    100,
  );
  if (attached) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await interruptUntilHeard(bpftrace);
  }
  const code = await bpftrace.exited;
  return { code, output: bpftrace.output() };
}

describe("the off-CPU recorder with the node agent's capabilities (real bpftrace)", () => {
  it('records the waiting program blocked in read() and nanosleep() with AGENT_CAPABILITIES; fails without CAP_BPF (its maps) or without BPFTRACE_BTF (the kernel types)', async (t) => {
    const dir = await workDir(t, 'agent-offcpu-caps');
    const waiting = startProcess(t, await buildWaitingProgram(dir, 'fwait_caps'), ['120', 'cap']);
    await new Promise((resolve) => setTimeout(resolve, 300));

    // The agent holds no CAP_SYS_ADMIN (the environment it gives bpftrace says where the kernel's BTF is).
    const agentEnv = await bpftraceBtfEnv(false, {});
    assert.deepEqual(agentEnv, { BPFTRACE_BTF: '/sys/kernel/btf/vmlinux' });
    const held = await recordOffcpu(t, dir, waiting.pid, AGENT_CAPABILITIES, agentEnv);
    assert.equal(held.code, 0, held.output);
    assert.match(held.output, /^@offcpu\[cap_read, $/m, held.output.slice(0, 4000));
    assert.match(held.output, /^\s+ksys_read\+\d+$/m, 'the reader blocked in read()');
    assert.match(held.output, /^@offcpu\[cap_sleep, $/m);
    assert.match(held.output, /^\s+do_nanosleep\+\d+$/m, 'the sleeper blocked in nanosleep()');
    assert.doesNotMatch(held.output, /^@offcpu\[(?!cap_)/m, 'only the chosen process');

    const withoutBpf = AGENT_CAPABILITIES.filter((c) => c !== 'BPF');
    const refused = await recordOffcpu(t, dir, waiting.pid, withoutBpf, agentEnv);
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /failed to create\s+map: Operation not permitted/, refused.output);
    const untyped = await recordOffcpu(t, dir, waiting.pid, AGENT_CAPABILITIES, {});
    assert.notEqual(untyped.code, 0);
    assert.match(untyped.output, /unknown type name 'pid_t'/, untyped.output);
  });
});
