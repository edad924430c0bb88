// The files of a finished `furnace record`: each artifact the recording lists, written whole into the output
// directory. The profile (stacks.folded) must not arrive empty, and no artifact short of the size its answer
// announced: such a file is not written and the verb fails with one line that names the recording, the file,
// what was wrong and what to try — a script that checks the exit status never reads an empty profile.
import type { RecordingStatus } from '../core/contract/recording.ts';
import { ArtifactShortError, downloadTo } from './artifact-files.ts';
import type { FurnaceApi } from './kube-api.ts';
import { checkedArtifactNames, printable } from './safe-output.ts';

/** The profile itself: the one file that is refused when empty. */
const PROFILE = 'stacks.folded';

export interface RecordedFiles {
  api: FurnaceApi;
  /** The recording's path (aggregated): `…/pods/<pod>/recordings/<id>`. */
  path: string;
  status: RecordingStatus;
  dir: string;
  /** The command that reads the recording from the catalog (`furnace download <id> -n <ns> …`). */
  downloadCommand: string;
}

/** What to try after `error`, in words. */
function advice(error: ArtifactShortError, files: RecordedFiles): string {
  if (error.file === PROFILE && error.bytes === 0 && files.status.samples === 0)
    return 'the recording took no samples: record again for longer, or check that the chosen processes use the CPU (-c, --pid, --pattern)';
  return `try the catalog's copy (${files.downloadCommand}), or record again`;
}

/** Writes each artifact and prints its path on `stdout`; false (and one line on `stderr`) when one is refused. */
export async function writeRecordedFiles(
  files: RecordedFiles,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<boolean> {
  const { api, path, status, dir } = files;
  for (const name of checkedArtifactNames(status.artifacts, `the status of ${status.id}`)) {
    try {
      const options = { refuseEmpty: name === PROFILE };
      io.stdout.write(
        `${await downloadTo(api, `${path}/artifacts/${name}`, { dir, file: name }, options)}\n`,
      );
    } catch (error) {
      if (!(error instanceof ArtifactShortError)) throw error;
      const samples = status.samples === undefined ? '' : `; the recording has ${status.samples} samples`;
      io.stderr.write(
        `furnace record: recording ${status.id}: ${printable(error.message)}${samples}; it was not written: ${advice(error, files)}\n`,
      );
      return false;
    }
  }
  return true;
}
