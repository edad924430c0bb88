// What a restarted recorder does with what its previous run left on disk (recording-journal.ts): it takes
// every journaled recording back, finishes the one it was running when its profiler can (else fails it,
// saying why), uploads again what the catalog never took, and removes directories without a journal. The
// controller (recording-controller.ts) hands over only the steps this needs (RecoveryHost).
import { rm } from 'node:fs/promises';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import type { RecordingEvent } from '../recording-events.ts';
import type { Profiler, ProfilerRun, RunContext } from '../profilers/profiler.ts';
import { readJournals, type JournalRecord } from './recording-journal.ts';
import { isActive } from './recording-machine.ts';
import type { UploadOutcome } from './recording-sender.ts';
import { where } from './end-reason.ts';

/** What recovery needs from the recording controller. */
export interface RecoveryHost {
  /** The directory holding one directory per recording. */
  recordingsDir: string;
  log(message: string, fields?: Record<string, unknown>): void;
  now(): number;
  /** Lists a recording found on disk again, with its warnings' kinds and its upload state. */
  adopt(record: JournalRecord): void;
  recordingDir(id: string): string;
  /** The profiler that ran this recording, if this recorder still offers it. */
  profilerOf(status: RecordingStatus): Profiler | undefined;
  runContext(id: string, dir: string): RunContext;
  update(id: string, event: RecordingEvent): void;
  /** Sets a recording's status outright; journaled like any change. */
  replace(id: string, status: RecordingStatus): void;
  upload(id: string, dir: string, outcome: UploadOutcome): Promise<boolean>;
  /** Runs a profiler's run to its end as the current recording: render, upload, keep. */
  launch(id: string, dir: string, run: ProfilerRun): void;
  /** Sends the recordings the catalog has not taken, now. */
  sendPending(): void;
}

/**
 * Reads back what a previous run of this recorder left: a recording it was running is finished from disk
 * when its profiler can, else failed saying why; one the catalog never took is uploaded again; a directory
 * with no journal (a start that was never answered) is removed.
 */
export async function recoverRecordings(host: RecoveryHost): Promise<void> {
  const found = await readJournals(host.recordingsDir);
  for (const dir of found.unknown) {
    host.log('removed a recording directory with no record of its recording', { dir });
    await rm(dir, { recursive: true, force: true });
  }
  for (const record of found.records) host.adopt(record);
  const interrupted = found.records.filter((r) => isActive(r.status)).map((r) => r.status);
  // Only the newest can be finished (one recording runs at a time); any older one is failed.
  const newest = interrupted.pop();
  for (const status of interrupted) await failInterrupted(host, status, 'a newer recording had started');
  if (newest !== undefined) await resumeInterrupted(host, newest);
  const pending = found.records.filter((r) => r.upload === 'pending' && !isActive(r.status)).length;
  if (found.records.length > 0)
    host.log('recordings found on disk', {
      recordings: found.records.length,
      interrupted: interrupted.length + (newest === undefined ? 0 : 1),
      pendingUploads: pending,
    });
  if (pending > 0) host.sendPending();
}

async function resumeInterrupted(host: RecoveryHost, status: RecordingStatus): Promise<void> {
  const id = status.id;
  const dir = host.recordingDir(id);
  const run = await host
    .profilerOf(status)
    ?.resume?.({ id, dir, params: status.params, targets: status.targets }, host.runContext(id, dir))
    .catch(() => undefined);
  if (run === undefined) {
    await failInterrupted(host, status, `${status.profiler ?? 'perf'} left nothing on disk to finish from`);
    return;
  }
  const elapsed = Math.max(0, Math.round((host.now() - Date.parse(status.startedAt)) / 1000));
  host.replace(id, { ...status, state: 'processing', stage: 'record', progress: 0.7 });
  host.update(id, {
    type: 'warning',
    message: `the recorder restarted while this recording was ${where(status)}; it was finished from what ${status.profiler ?? 'perf'} had written`,
  });
  if (status.endReason === undefined)
    host.update(id, {
      type: 'ended',
      reason: `the recorder restarted (about ${elapsed} s after the start)`,
    });
  host.launch(id, dir, run);
}

async function failInterrupted(host: RecoveryHost, status: RecordingStatus, why: string): Promise<void> {
  const error = `the recorder restarted while this recording was ${where(status)}, and ${why}`;
  host.update(status.id, { type: 'failed', error, at: new Date(host.now()) });
  await host.upload(status.id, host.recordingDir(status.id), 'failed');
}
