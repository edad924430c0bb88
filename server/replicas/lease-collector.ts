// Which expired shared records a replica deletes: those it wrote, at once, and anyone's five minutes
// late (their writer may be gone). So an expired record costs one delete, not one per replica. Pure.
import { expiresAtOf, type SharedRecord } from './lease-records.ts';

/** A record expired this long is deleted by any replica. */
export const STALE_MS = 5 * 60_000;
/** Deletes per pass at most: the rest wait for the next one. */
export const MAX_COLLECTED = 500;

export function dueForCollection(
  records: Iterable<SharedRecord>,
  holder: string,
  now: number,
): SharedRecord[] {
  const due: SharedRecord[] = [];
  for (const record of records) {
    const expiresAt = expiresAtOf(record);
    if (expiresAt <= now && (record.holder === holder || expiresAt <= now - STALE_MS)) due.push(record);
    if (due.length >= MAX_COLLECTED) break;
  }
  return due;
}
