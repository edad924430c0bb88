// Log format `text`: what a person at a terminal reads in local mode — registrations, recordings
// started, stopped, symbolized again, finished and deleted, warnings and errors — instead of one JSON line per request.
// The server's pino still produces JSON; this turns each line into a short sentence or drops it.
import { Writable } from 'node:stream';

type LogRecord = Record<string, unknown>;

const WARN = 40;
const ERROR = 50;

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function field(record: LogRecord, ...path: string[]): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as LogRecord)[key];
  }
  return value;
}

function describeParams(params: unknown): string {
  if (typeof params !== 'object' || params === null) return '';
  const p = params as LogRecord;
  const parts = [
    text(p.durationSeconds) && `${text(p.durationSeconds)} s`,
    text(p.processPattern) && `pattern ${JSON.stringify(p.processPattern)}`,
    text(p.pid) && `pid ${text(p.pid)}`,
    text(p.container) && `container ${text(p.container)}`,
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** `namespace/pod` of a record, `?` for what it lacks. */
function podOf(record: LogRecord): string {
  return `${text(record.namespace) ?? '?'}/${text(record.pod) ?? '?'}`;
}

/** What an audit line's sentence is made of. */
interface AuditWords {
  where: string;
  id: string | undefined;
  user: string | undefined;
  /** ` by <user>`, or nothing. */
  by: string;
  /** `recording <id>`. */
  recording: string;
  params: unknown;
}

/** Per narrated action: the sentence when it was done, and when it was refused (`refusal`: `409`, `400 ERR_…`). */
const AUDIT_SENTENCES: Record<
  string,
  [(w: AuditWords) => string, (w: AuditWords, refusal: string) => string]
> = {
  start: [
    (w) => `recording ${w.id ?? ''}${w.id ? ' ' : ''}started on ${w.where}${w.by}${describeParams(w.params)}`,
    (w, refusal) => `start on ${w.where}${w.by}${describeParams(w.params)} refused (${refusal})`,
  ],
  stop: [
    (w) => `${w.recording} on ${w.where} stopped early${w.by}`,
    (w, refusal) => `stop of ${w.recording} on ${w.where}${w.by} refused (${refusal})`,
  ],
  resymbolize: [
    (w) => `${w.recording} on ${w.where}: symbolizing again${w.user ? `, asked by ${w.user}` : ''}`,
    (w, refusal) => `resymbolize of ${w.recording} on ${w.where}${w.by} refused (${refusal})`,
  ],
  delete: [
    (w) => `${w.recording} deleted${w.by}`,
    (w, refusal) => `delete of ${w.recording}${w.by} refused (${refusal})`,
  ],
};

function describeAudit(audit: LogRecord): string | undefined {
  const action = text(audit.action) ?? '';
  // Downloads (too frequent to narrate) and the rest are left out.
  const sentences = Object.hasOwn(AUDIT_SENTENCES, action) ? AUDIT_SENTENCES[action] : undefined;
  if (sentences === undefined) return undefined;
  const id = text(audit.recording);
  const user = text(audit.user);
  const words: AuditWords = {
    where: podOf(audit),
    id,
    user,
    by: user ? ` by ${user}` : '',
    recording: `recording ${id ?? '?'}`,
    params: audit.params,
  };
  // A refused call did not do what its action says: it is told as a refusal, never as done.
  const refused = typeof audit.outcome === 'number' && audit.outcome >= 400 ? audit.outcome : undefined;
  if (refused === undefined) return sentences[0](words);
  const code = text(audit.code);
  return sentences[1](words, code === undefined ? String(refused) : `${refused} ${code}`);
}

function errorText(record: LogRecord): string {
  const message = text(field(record, 'err', 'message'));
  return message ? `: ${message}` : '';
}

function describeRegistration(record: LogRecord): string {
  const host = text(field(record, 'address', 'host'));
  const port = text(field(record, 'address', 'port'));
  const at = host && port ? ` at ${host}:${port}` : '';
  return `recorder registered: ${podOf(record)}${at}`;
}

function describeFinished(record: LogRecord): string {
  const samples = text(record.samples);
  const failure = text(record.error);
  const where = podOf(record);
  if (record.state === 'failed')
    return `recording ${text(record.id) ?? '?'} on ${where} failed: ${failure ?? 'unknown error'}`;
  return `recording ${text(record.id) ?? '?'} on ${where} finished${samples ? ` with ${samples} samples` : ''}`;
}

/** A request the server answered with a 5xx; undefined for any other answer. */
function describeServerError(record: LogRecord): string | undefined {
  const status = field(record, 'res', 'statusCode');
  if (typeof status !== 'number' || status < 500) return undefined;
  const url = text(field(record, 'req', 'url')) ?? '';
  return `error: ${status} answering ${url}`;
}

/** The messages told in a sentence of their own, whatever their level. */
const MESSAGES: Record<string, (record: LogRecord) => string | undefined> = {
  'sidecar registered': describeRegistration,
  'recording finished': describeFinished,
  'request completed': describeServerError,
};

/** One sentence for a pino record, or undefined when a person need not see it. */
export function describeLogRecord(record: LogRecord): string | undefined {
  const level = typeof record.level === 'number' ? record.level : 30;
  const message = text(record.msg) ?? '';
  const audit = field(record, 'audit');
  if (typeof audit === 'object' && audit !== null) return describeAudit(audit as LogRecord);
  const sentence = Object.hasOwn(MESSAGES, message) ? MESSAGES[message]?.(record) : undefined;
  if (sentence !== undefined) return sentence;
  if (level >= ERROR) return `error: ${message}${errorText(record)}`;
  if (level >= WARN) return `warning: ${message}${errorText(record)}`;
  return undefined;
}

function clock(time: unknown): string {
  const date = typeof time === 'number' ? new Date(time) : new Date();
  return date.toTimeString().slice(0, 8);
}

/** A stream for pino's JSON lines that writes their sentences to `out`, each prefixed with the time. */
export function textLogStream(out: NodeJS.WritableStream, prefix = ''): Writable {
  let pending = '';
  const flushLine = (line: string): void => {
    if (line.trim() === '') return;
    let record: LogRecord;
    try {
      record = JSON.parse(line) as LogRecord;
    } catch {
      out.write(`${prefix}${line}\n`); // not a log record: show it as it is
      return;
    }
    const sentence = describeLogRecord(record);
    if (sentence) out.write(`${clock(record.time)} ${prefix}${sentence}\n`);
  };
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) flushLine(line);
      done();
    },
    final(done) {
      flushLine(pending);
      pending = '';
      done();
    },
  });
}
