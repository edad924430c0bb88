// Five-field cron schedules (minute hour day-of-month month day-of-week) in UTC, read by croner: lists,
// ranges, steps (`*/15`, and `20/2` from 20 to the end of the field), month and day names, 7 as Sunday, and
// the @hourly-style shorthands. When both day fields are restricted a day matches either of them; a day
// field that starts with `*` does not restrict, so only the other one counts. croner's own extensions
// (`?`, `L`, `W`, `#`) are refused: a schedule means here what it means to a CronJob.
import { Cron } from 'croner';
import { FurnaceError } from '../../core/contract/errors.ts';

/** A parsed schedule; ask it for run times with nextCronTime. */
export interface CronSchedule {
  readonly cron: Cron;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
];

const DAY_OF_MONTH = 2;
const DAY_OF_WEEK = 4;
/** Digits, `*`, `,`, `-`, `/` and three-letter names (jan, mon): what Vixie cron and a CronJob read. */
const PLAIN_FIELD = /^(?:[\d*,/-]|(?<![a-z])[a-z]{3}(?![a-z]))+$/i;
const CRONER_OPTIONS = { timezone: 'UTC', mode: '5-part', sloppyRanges: true } as const;

function invalid(schedule: string, why: string): FurnaceError {
  return new FurnaceError(
    'ERR_INVALID_PARAMETER',
    `schedule ${JSON.stringify(schedule)} is invalid: ${why}`,
    { field: 'schedule', value: schedule },
  );
}

function cronOf(fields: readonly string[]): Cron {
  return new Cron(fields.join(' '), CRONER_OPTIONS);
}

/** Whether croner accepts `part` in field `index` with every other field `*`. */
function accepts(index: number, part: string): unknown {
  if (part === '' || !PLAIN_FIELD.test(part)) return new Error('not understood');
  try {
    cronOf(FIELDS.map((_, i) => (i === index ? part : '*')));
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Why croner refused a field, in the words of the field and the part of it that is wrong. */
function explain(field: FieldSpec, part: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const [range = '', step = ''] = part.split('/');
  if (error instanceof RangeError)
    return `${field.name} ${JSON.stringify(part)} is not between ${field.min} and ${field.max}`;
  if (/stepping/i.test(message))
    return `${field.name} step ${JSON.stringify(step)} is not a positive integer`;
  if (/larger than/i.test(message)) return `${field.name} range ${JSON.stringify(range)} runs backwards`;
  return `${field.name} ${JSON.stringify(part)} is not understood`;
}

/** The first field and part that croner refuses on its own, explained; undefined when each one passes. */
function diagnose(texts: readonly string[]): string | undefined {
  for (const [index, field] of FIELDS.entries()) {
    for (const part of (texts[index] ?? '').split(',')) {
      const error = accepts(index, part);
      if (error !== undefined) return explain(field, part, error);
    }
  }
  return undefined;
}

/** Parses a schedule; throws ERR_INVALID_PARAMETER naming `schedule` and the field that is wrong. */
export function parseCron(schedule: string): CronSchedule {
  const trimmed = schedule.trim();
  let fields: string[] = [trimmed];
  if (!trimmed.startsWith('@')) {
    fields = trimmed.split(/\s+/);
    if (fields.length !== 5)
      throw invalid(
        schedule,
        `it has ${fields.length} fields; minute hour day-of-month month day-of-week are 5`,
      );
    const why = diagnose(fields);
    if (why !== undefined) throw invalid(schedule, why);
    // Vixie cron's rule: a day field starting with `*` (as `*/2` does) leaves the choice to the other one.
    for (const day of [DAY_OF_MONTH, DAY_OF_WEEK]) if (fields[day]?.startsWith('*')) fields[day] = '*';
  }
  let cron: Cron;
  try {
    cron = cronOf(fields);
  } catch (error) {
    throw invalid(schedule, error instanceof Error ? error.message : String(error));
  }
  if (cron.nextRun(new Date(Date.UTC(2000, 0, 1))) === null)
    throw invalid(schedule, 'no date ever matches it');
  return { cron };
}

/** The first matching minute strictly after `after` (UTC), or undefined when none ever comes. */
export function nextCronTime(schedule: CronSchedule, after: Date): Date | undefined {
  return schedule.cron.nextRun(after) ?? undefined;
}
