// Each recording's state on the recorder's own disk, beside its files: `recording.json`, written whole (a
// temporary file renamed over it, so a crash leaves the old or the new one) whenever the state changes. A
// restarted recorder reads them back (RecordingController.recover): what it had finished but not yet
// delivered is uploaded, what it was recording is finished from disk or failed with the reason.
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  RECORDING_ID_PATTERN,
  RECORDING_STATES,
  type RecordingStatus,
} from '../../core/contract/recording.ts';
import { readWarningKinds, type WarningsByKind } from './warning-kinds.ts';

export const JOURNAL_FILE = 'recording.json';

/**
 * Whether the catalog has the recording: `pending` until it took it, `none` with no server to send to,
 * `refused` when the server will never take it (an agent's expired or lost upload grant; the entry says why).
 */
export type UploadState = 'pending' | 'sent' | 'none' | 'refused';

export interface JournalRecord {
  status: RecordingStatus;
  upload: UploadState;
  /** Which of the status's warnings each kind wrote (warning-kinds.ts); absent in journals from before. */
  warningKinds?: WarningsByKind;
}

const UPLOAD_STATES: readonly string[] = ['pending', 'sent', 'none', 'refused'];
const RECORDING_ID = new RegExp(RECORDING_ID_PATTERN);
/** A journal is a status and a word; anything much larger was not written by this recorder. */
const MAX_JOURNAL_BYTES = 1 << 20;

export async function writeJournal(dir: string, record: JournalRecord): Promise<void> {
  const file = join(dir, JOURNAL_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** Saves each recording's journal in the order its changes happened, one write at a time per recording. */
export class JournalWriter {
  private readonly chains = new Map<string, Promise<void>>();

  private readonly log: (message: string, fields?: Record<string, unknown>) => void;

  constructor(log: (message: string, fields?: Record<string, unknown>) => void) {
    this.log = log;
  }

  /** Queues a save of what `read` returns when the save runs (the newest state, not a stale copy). */
  save(dir: string, id: string, read: () => JournalRecord | undefined): Promise<void> {
    const previous = this.chains.get(id) ?? Promise.resolve();
    const next = previous.then(async () => {
      const record = read();
      if (record === undefined) return;
      await writeJournal(dir, record).catch((error: Error) =>
        this.log('could not save the recording state', { id, error: error.message }),
      );
    });
    this.chains.set(id, next);
    void next.then(() => this.chains.get(id) === next && this.chains.delete(id));
    return next;
  }

  /** Resolves once every queued save has been written. */
  async flushed(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}

function parseJournal(text: string, id: string): JournalRecord | undefined {
  try {
    const record = JSON.parse(text) as Partial<JournalRecord>;
    const status = record.status;
    if (typeof status !== 'object' || status === null || status.id !== id) return undefined;
    if (!(RECORDING_STATES as readonly string[]).includes(status.state)) return undefined;
    if (typeof status.startedAt !== 'string' || !Array.isArray(status.artifacts)) return undefined;
    if (!UPLOAD_STATES.includes(record.upload ?? '')) return undefined;
    const upload = record.upload as UploadState;
    return record.warningKinds === undefined
      ? { status, upload }
      : { status, upload, warningKinds: readWarningKinds(record.warningKinds) };
  } catch {
    return undefined;
  }
}

async function readJournal(dir: string, id: string): Promise<JournalRecord | undefined> {
  const text = await readFile(join(dir, JOURNAL_FILE), 'utf8').catch(() => undefined);
  if (text === undefined || text.length > MAX_JOURNAL_BYTES) return undefined;
  return parseJournal(text, id);
}

export interface ReadJournals {
  /** The recordings found, oldest first. */
  records: JournalRecord[];
  /** Directories with no readable journal: a start that never answered (the journal comes first), or debris. */
  unknown: string[];
}

export async function readJournals(recordingsDir: string): Promise<ReadJournals> {
  const names = await readdir(recordingsDir).catch(() => [] as string[]);
  const found: ReadJournals = { records: [], unknown: [] };
  for (const name of names) {
    const dir = join(recordingsDir, name);
    const record = RECORDING_ID.test(name) ? await readJournal(dir, name) : undefined;
    if (record === undefined) found.unknown.push(dir);
    else found.records.push(record);
  }
  found.records.sort(
    (a, b) =>
      Date.parse(a.status.startedAt) - Date.parse(b.status.startedAt) ||
      a.status.id.localeCompare(b.status.id),
  );
  return found;
}
