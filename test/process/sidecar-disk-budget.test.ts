// A recording that would fill the sidecar's volume: perf.data with DWARF stacks grows by megabytes a
// second. The kubelet evicts the pod once the emptyDir passes its size limit, so the sidecar's data
// directory, measured the way the kubelet does (du), must stay under FURNACE_OUTPUT_SIZE_LIMIT the whole
// time, and the recording must end with a flame graph and a warning that says why it stopped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { execFile } from '../harness/child-processes.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { startProcess } from '../harness/processes.ts';
import { finished } from '../harness/recording-status.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'disk-budget-secret';
const LIMIT = 4 * 1024 * 1024;

/**
 * Bytes under dir as du counts them (blocks), which is what the kubelet measures an emptyDir by. A file the
 * recorder removes while du walks the directory (its control FIFOs, as a recording ends) is gone before du
 * stats it: du names it, counts the rest and exits 1, and that count is the answer.
 */
async function du(dir: string): Promise<number> {
  const { stdout } = await promisify(execFile)('du', ['-s', '-B1', dir]).catch(
    (error: { stdout?: string; stderr?: string }) => {
      const complaints = (error.stderr ?? '').trim().split('\n');
      if (!error.stdout || !complaints.every((line) => line.endsWith('No such file or directory')))
        throw error;
      return { stdout: error.stdout };
    },
  );
  return Number(stdout.split('\t')[0]);
}

describe('sidecar disk budget (real perf)', () => {
  it('keeps a recording that would overflow its volume under the size limit, and says why it stopped', async (t) => {
    const dir = await workDir(t, 'disk-budget');
    const dataDir = await workDir(t, 'disk-budget-data');
    const target = startProcess(t, await buildHotProgram(dir), ['300']);
    const { sidecar } = await startRegisteredSidecar(t, SECRET, {
      FURNACE_SIDECAR_DATA: dataDir,
      FURNACE_OUTPUT_SIZE_LIMIT: '4Mi',
    });
    let status = await sidecar.start({
      pid: target.pid,
      durationSeconds: 10,
      frequency: 999,
      callGraph: 'dwarf',
    });
    const { id } = status;
    let largest = 0;
    while (!finished(status)) {
      largest = Math.max(largest, await du(dataDir));
      status = (await sidecar.call('GET', `/recordings/${id}`)).json as RecordingStatus;
    }
    largest = Math.max(largest, await du(dataDir));
    assert.ok(largest <= LIMIT, `the data directory reached ${largest} bytes, over the ${LIMIT} limit`);
    assert.equal(status.state, 'done', status.error);
    assert.match(
      status.warnings?.join('\n') ?? '',
      /perf\.data reached its size cap \(\d+ bytes, a share of the free disk budget\)/,
    );
    const folded = await sidecar.artifact(id, 'stacks.folded');
    assert.ok(samplesOf(folded, 'furnace_heavy') > 0, folded.slice(0, 2000));
  });
});
