// Run as PID 1 of a PID namespace of its own (harness-stop-pid.test.ts starts it under `unshare --pid
// --fork --mount-proc`): it makes a PID be reused for real, by setting the namespace's last PID
// (/proc/sys/kernel/ns_last_pid, which only this namespace's allocations read) so that the next process
// gets the PID of one that has just exited, and prints as JSON what stopPid did to the newcomer.
//   after-exit: the process had exited before stopPid was called, as the fault test's local recorder has.
//   during-grace: it ignores SIGTERM and ends during stopPid's grace; the newcomer comes before the SIGKILL.
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from '../harness/child-processes.ts';
import { identifySpawned, isSameProcess, type ProcessIdentity } from '../harness/process-identity.ts';
import { stopPid } from '../harness/processes.ts';

const scenario = process.argv[2];

/** sleep with SIGTERM ignored (which exec keeps: only SIGKILL ends it), once it is sleep. */
async function start(): Promise<{ child: ChildProcess; identity: ProcessIdentity }> {
  const child = spawn('sh', ['-c', 'trap "" TERM; exec sleep 60'], { stdio: 'ignore' });
  const identity = identifySpawned(child.pid, 'sleep');
  while (readFileSync(`/proc/${identity.pid}/comm`, 'utf8').trim() !== 'sleep') await sleep(5);
  return { child, identity };
}

/** Ends the process, then starts another with its PID. */
async function reuse(old: { child: ChildProcess; identity: ProcessIdentity }) {
  old.child.kill('SIGKILL');
  await once(old.child, 'exit');
  // A start time is counted in clock ticks (10 ms): the newcomer starts a tick later, as a PID reused on
  // a wrap (an hour here) always does.
  await sleep(30);
  writeFileSync('/proc/sys/kernel/ns_last_pid', String(old.identity.pid - 1));
  return await start();
}

const first = await start();
let newcomer: Awaited<ReturnType<typeof start>>;
let stopping: Promise<void>;
if (scenario === 'after-exit') {
  newcomer = await reuse(first);
  stopping = stopPid(first.identity, 1000);
} else if (scenario === 'during-grace') {
  stopping = stopPid(first.identity, 3000); // its SIGTERM has gone by the time this returns
  newcomer = await reuse(first);
} else {
  throw new Error(`scenario must be after-exit or during-grace, not ${scenario}`);
}
await Promise.race([stopping, once(newcomer.child, 'exit')]);
await sleep(100); // an exit that a late signal caused is seen by now
const result = {
  firstPid: first.identity.pid,
  newcomerPid: newcomer.identity.pid,
  newcomerStartTime: newcomer.identity.startTime,
  firstStartTime: first.identity.startTime,
  newcomerRunning: isSameProcess(newcomer.identity) && newcomer.child.exitCode === null,
  newcomerSignal: newcomer.child.signalCode,
};
newcomer.child.kill('SIGKILL');
await stopping;
console.log(JSON.stringify(result));
