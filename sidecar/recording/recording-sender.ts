// Sends a finished recording to the catalog (upload.ts) on the controller's behalf and notes on the recording
// how it went: whether the catalog has it (deliveries.ts, sent again later when not), and the attempt's
// warnings in place of an earlier attempt's. A recording the server will never take is said so and kept.
import type { RecordingStatus } from '../../core/contract/recording.ts';
import type { RecordingEvent } from '../recording-events.ts';
import type { ControllerDeps } from './controller-deps.ts';
import type { Deliveries } from './deliveries.ts';
import { isActive, withoutUploadFailure } from './recording-machine.ts';
import { uploadFinishedRecording } from './upload.ts';

/** How a finished recording goes to the catalog: `again` once it was symbolized again (files first). */
export type UploadOutcome = 'done' | 'failed' | 'again';

export interface RecordingSenderDeps {
  deps: ControllerDeps;
  delivery: Deliveries;
  get(id: string): RecordingStatus;
  update(id: string, event: RecordingEvent): void;
  persist(id: string): Promise<void>;
  /** Whether the recorder is stopping: it then tries once and leaves the rest to its next run. */
  closing(): boolean;
}

export class RecordingSender {
  private readonly of: RecordingSenderDeps;

  constructor(of: RecordingSenderDeps) {
    this.of = of;
  }

  /**
   * Uploads a finished recording (a failed one sends its metadata only, so the catalog shows the error);
   * true when the catalog has it. One it could not take stays `pending` and is sent again later.
   */
  async upload(id: string, dir: string, outcome: UploadOutcome = 'done'): Promise<boolean> {
    const { deps, delivery } = this.of;
    const { config } = deps;
    if (config.serverUrl === undefined) return true;
    const refusal = deps.uploadRefusal?.(id);
    if (refusal !== undefined) return this.refuse(id, refusal);
    if (outcome === 'done' && isActive(this.of.get(id)))
      this.of.update(id, { type: 'stage', stage: 'upload' });
    const result = await uploadFinishedRecording(
      {
        send: (request) => deps.send(request),
        sleep: (ms) => deps.sleep(ms),
        random: () => deps.random(),
        token: () => deps.serverToken(id),
        readCa: () => deps.readServerCa?.() ?? Promise.resolve(config.serverCa),
      },
      {
        ...config,
        serverUrl: config.serverUrl,
        now: new Date(deps.timers.now()),
        limits: { maxArtifactBytes: this.maxArtifactBytes() },
        // A stopping recorder does not wait out a server that is away: the next run sends it.
        ...(this.of.closing() ? { attempts: 1 } : {}),
        ...(outcome === 'again' ? { again: true } : {}),
      },
      {
        status: withoutUploadFailure(this.of.get(id)),
        dir,
        outcome: outcome === 'failed' ? 'failed' : 'done',
      },
      (fraction) => isActive(this.of.get(id)) && this.of.update(id, { type: 'progress', fraction }),
    );
    delivery.set(id, result.delivered ? 'sent' : 'pending');
    // The last attempt's words replace any earlier attempt's.
    this.of.update(id, { type: 'clear-upload-failure' });
    for (const message of result.warnings) this.of.update(id, { type: 'warning', message });
    if (!result.delivered) delivery.schedule();
    void this.of.persist(id);
    return result.delivered;
  }

  /** Gives up on a recording the server will never take: said on its entry, kept on disk, not sent again. */
  private refuse(id: string, refusal: string): boolean {
    this.of.delivery.set(id, 'refused');
    this.of.update(id, { type: 'clear-upload-failure' });
    if (!(this.of.get(id).warnings ?? []).includes(refusal))
      this.of.update(id, { type: 'warning', message: refusal });
    this.of.deps.log('the server will not take this recording', { id, reason: refusal });
    void this.of.persist(id);
    return false;
  }

  /** The smaller of the sidecar's own artifact limit and the server's. */
  private maxArtifactBytes(): number {
    const own = this.of.deps.config.limits.maxArtifactBytes;
    return Math.min(own, this.of.deps.serverMaxArtifactBytes?.() ?? own);
  }
}
