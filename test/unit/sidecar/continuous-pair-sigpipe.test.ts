// The continuous pair's two perfs start with SIGPIPE ignored, as a recording's perf script does, so that an
// addr2line that quits cannot kill perf script and with it the pair; perf record runs under setpriv's death
// signal, which ends the pair should the agent die (continuous-pair-commands.test.ts). Real /bin/sh stand in for the two perfs and print the
// ignored-signals mask the kernel shows for their own process (test/process/continuous-pair-sigpipe.test.ts
// reads it from the real perfs). Without a shell or setpriv both keep the default disposition.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SpawnFn } from '../../../sidecar/host/runtime.ts';
import { startPerfPair, type PairWrappers } from '../../../sidecar/continuous/perf-pair.ts';
import { spawn } from '../../harness/child-processes.ts';

const realSpawn = spawn as unknown as SpawnFn;

/** Whether SIGPIPE (signal 13: bit 12 of the mask) is in a SigIgn line of /proc/<pid>/status. */
function ignoresSigpipe(line: string | undefined): boolean {
  const mask = BigInt(`0x${/SigIgn:\s*([0-9a-f]+)/.exec(line ?? '')?.[1] ?? 'x'}`);
  return ((mask >> 12n) & 1n) === 1n;
}

/** Runs a pair whose "perf record" writes its own SigIgn line into the pipe and whose "perf script" adds its own. */
async function pairMasks(wrappers?: PairWrappers): Promise<{ record: boolean; script: boolean }> {
  const chunks: Buffer[] = [];
  const pair = startPerfPair({
    spawn: realSpawn,
    recordCommand: { command: '/bin/sh', args: ['-c', 'echo "record $(grep SigIgn /proc/$$/status)"'] },
    scriptCommand: { command: '/bin/sh', args: ['-c', 'cat; echo "script $(grep SigIgn /proc/$$/status)"'] },
    onOutput: (chunk) => chunks.push(chunk),
    maxReadPauseMs: 0,
    ...(wrappers === undefined ? {} : { wrappers }),
  });
  const ended = await pair.ended;
  const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
  const line = (who: string) => lines.find((l) => l.startsWith(`${who} `));
  assert.ok(line('record') && line('script'), `${lines.join('\n')}\n${ended.stderr}`);
  return { record: ignoresSigpipe(line('record')), script: ignoresSigpipe(line('script')) };
}

describe('the continuous pair’s perfs and SIGPIPE', () => {
  it('starts perf record and perf script with SIGPIPE ignored', async () => {
    assert.deepEqual(await pairMasks(), { record: true, script: true });
  });

  it('keeps the default disposition without a shell or without setpriv', async () => {
    assert.deepEqual(await pairMasks({ shell: null, setpriv: '/usr/bin/setpriv' }), {
      record: false,
      script: false,
    });
    assert.deepEqual(await pairMasks({ shell: '/bin/sh', setpriv: null }), { record: false, script: false });
  });
});
