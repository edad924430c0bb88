// Audit trail: one structured log line per start, stop, download, delete, baseline pin, symbol upload or
// delete, and request to symbolize a recording again.
import type { FastifyBaseLogger } from 'fastify';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import type { Identity } from '../auth/identity.ts';

export type AuditAction =
  | 'start'
  | 'stop'
  | 'download'
  | 'delete'
  | 'pin-baseline'
  | 'unpin-baseline'
  | 'upload-symbols'
  | 'delete-symbols'
  | 'resymbolize';

export interface AuditRecord {
  action: AuditAction;
  identity: Identity;
  namespace: string;
  /** The pod of a recording; none for a namespace's symbol files. */
  pod?: string;
  container?: string;
  recording?: string;
  artifact?: string;
  /** The workload a pin names. */
  workload?: string;
  /** The symbol file an upload or delete names. */
  buildId?: string;
  params?: unknown;
  /** The status of a refused call, 400 or more. */
  outcome?: number;
  /** The code the recorder gave its refusal, made fit for a log line (no control characters, bounded). */
  code?: string;
}

export function writeAudit(log: FastifyBaseLogger, record: AuditRecord): void {
  const { identity, ...rest } = record;
  log.info({ audit: { ...rest, user: identity.user, groups: identity.groups } }, `audit ${record.action}`);
}

/** The audit line of a download or a delete of a catalogued recording. */
export function writeCatalogAudit(
  log: FastifyBaseLogger,
  identity: Identity,
  { action, entry, artifact }: { action: 'download' | 'delete'; entry: CatalogEntry; artifact?: string },
): void {
  writeAudit(log, {
    action,
    identity,
    namespace: entry.namespace,
    pod: entry.pod,
    ...(entry.container ? { container: entry.container } : {}),
    recording: entry.id,
    ...(artifact !== undefined ? { artifact } : {}),
  });
}
