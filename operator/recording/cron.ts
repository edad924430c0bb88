// Five-field cron schedules (minute hour day-of-month month day-of-week), as Vixie cron reads them, in UTC:
// lists, ranges, steps, names (jan, mon), 7 as Sunday, and the @hourly-style shorthands. When both
// day fields are restricted a day matches either of them; when one starts with `*` only the other counts.
import { FurnaceError } from '../../core/contract/errors.ts';

export interface CronSchedule {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (7 is read as 0). */
  daysOfWeek: ReadonlySet<number>;
  /** The field started with `*`: it does not restrict the day (Vixie cron's rule). */
  anyDayOfMonth: boolean;
  anyDayOfWeek: boolean;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const SHORTHANDS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** How far ahead a next time is looked for: past the eight years between two leap days (2096 → 2104). */
const SEARCH_YEARS = 9;
const MINUTE_MS = 60_000;

function invalid(schedule: string, why: string): FurnaceError {
  return new FurnaceError(
    'ERR_INVALID_PARAMETER',
    `schedule ${JSON.stringify(schedule)} is invalid: ${why}`,
    {
      field: 'schedule',
      value: schedule,
    },
  );
}

function parseValue(text: string, field: FieldSpec, schedule: string): number {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  const value =
    named >= 0 ? named + (field.name === 'month' ? 1 : 0) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < field.min || value > field.max)
    throw invalid(
      schedule,
      `${field.name} ${JSON.stringify(text)} is not between ${field.min} and ${field.max}`,
    );
  return value;
}

function parsePart(part: string, field: FieldSpec, schedule: string, into: Set<number>): void {
  const [range = '', stepText, extra] = part.split('/');
  if (extra !== undefined || range === '') throw invalid(schedule, `${field.name} ${JSON.stringify(part)}`);
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1)
      throw invalid(schedule, `${field.name} step ${JSON.stringify(stepText)} is not a positive integer`);
    step = Number(stepText);
  }
  let low: number;
  let high: number;
  if (range === '*') {
    [low, high] = [field.min, field.max];
  } else {
    const [from = '', to, more] = range.split('-');
    if (more !== undefined) throw invalid(schedule, `${field.name} ${JSON.stringify(part)}`);
    low = parseValue(from, field, schedule);
    // `a/n` runs from a to the end of the field, as in Vixie cron.
    high = to !== undefined ? parseValue(to, field, schedule) : stepText !== undefined ? field.max : low;
    if (high < low) throw invalid(schedule, `${field.name} range ${JSON.stringify(range)} runs backwards`);
  }
  for (let value = low; value <= high; value += step) into.add(value);
}

function parseField(text: string, field: FieldSpec, schedule: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) parsePart(part, field, schedule, values);
  return values;
}

/** Parses a schedule; throws ERR_INVALID_PARAMETER naming `schedule` and the field that is wrong. */
export function parseCron(schedule: string): CronSchedule {
  const expanded = SHORTHANDS[schedule.trim().toLowerCase()] ?? schedule;
  const texts = expanded.trim().split(/\s+/);
  if (texts.length !== 5)
    throw invalid(
      schedule,
      `it has ${texts.length} fields; minute hour day-of-month month day-of-week are 5`,
    );
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = FIELDS.map((field, i) =>
    parseField(texts[i] ?? '', field, schedule),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (daysOfWeek.delete(7)) daysOfWeek.add(0);
  const parsed: CronSchedule = {
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    anyDayOfMonth: texts[2]?.startsWith('*') === true,
    anyDayOfWeek: texts[4]?.startsWith('*') === true,
  };
  if (nextCronTime(parsed, new Date(Date.UTC(2000, 0, 1))) === undefined)
    throw invalid(schedule, 'no date ever matches it');
  return parsed;
}

function dayMatches(schedule: CronSchedule, date: Date): boolean {
  const dom = schedule.daysOfMonth.has(date.getUTCDate());
  const dow = schedule.daysOfWeek.has(date.getUTCDay());
  if (schedule.anyDayOfMonth) return dow;
  if (schedule.anyDayOfWeek) return dom;
  return dom || dow;
}

/** The first matching minute strictly after `after` (UTC), or undefined when none comes within nine years. */
export function nextCronTime(schedule: CronSchedule, after: Date): Date | undefined {
  const t = new Date(Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  const limit = Date.UTC(t.getUTCFullYear() + SEARCH_YEARS, t.getUTCMonth(), t.getUTCDate());
  while (t.getTime() <= limit) {
    if (!schedule.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(schedule, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!schedule.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!schedule.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t;
    }
  }
  return undefined;
}
