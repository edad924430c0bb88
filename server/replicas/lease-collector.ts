// Which expired shared records a replica deletes: those it wrote, at once, and anyone's five minutes
// late (their writer may be gone). So an expired record costs one delete, not one per replica. Pure.
import { expiresAtOf, type LeaseRecord } from './lease-records.ts';

/** A record expired this long is deleted by any replica. */
export const STALE_MS = 5 * 60_000;
/** Deletes per pass at most: the rest wait for the next one. */
export const MAX_COLLECTED = 500;

export function dueForCollection(records: Iterable<LeaseRecord>, holder: string, now: number): LeaseRecord[] {
  const due: LeaseRecord[] = [];
  for (const record of records) {
    const expiresAt = expiresAtOf(record);
    if (expiresAt <= now && (record.holder === holder || expiresAt <= now - STALE_MS)) due.push(record);
    if (due.length >= MAX_COLLECTED) break;
  }
  return due;
}
