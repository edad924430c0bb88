// A stand-in for the node agent that runs only its continuous perf pair: real perf on one cgroup, started
// as the agent starts it (perf-pair.ts through spawnHelper), the two perfs' PIDs on stdout as one JSON
// line, then nothing until it is killed. What a test kills to see the pair end with the agent.
// Usage: node --import tsx test/harness/continuous-pair-child.ts <cgroup relative to the cgroup2 root>
import { continuousPerfArgs, continuousScriptArgs } from '../../sidecar/continuous/perf-continuous-args.ts';
import { startPerfPair } from '../../sidecar/continuous/perf-pair.ts';
import { spawnHelper } from '../../sidecar/host/spawn-helper.ts';

const [cgroup] = process.argv.slice(2);
if (cgroup === undefined) throw new Error('usage: continuous-pair-child.ts <cgroup>');
const pids: Record<string, number | undefined> = {};
const pair = startPerfPair({
  spawn: (command, args, options) => {
    const child = spawnHelper(command, args, options);
    pids[args.includes('record') ? 'record' : 'script'] = child.pid;
    return child;
  },
  recordCommand: { command: 'perf', args: continuousPerfArgs({ frequency: 19, cgroups: [cgroup] }) },
  scriptCommand: { command: 'perf', args: continuousScriptArgs(undefined) },
  onOutput: () => undefined,
});
process.stdout.write(`${JSON.stringify(pids)}\n`);
const ended = await pair.ended;
process.stdout.write(`${JSON.stringify({ ended })}\n`);
