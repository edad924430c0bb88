import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { CRON_PATTERN } from '../../../core/crd/recording-crd.ts';
import { nextCronTime, parseCron } from '../../../operator/recording/cron.ts';

/** The next run after `after` (ISO, UTC) as an ISO string. */
function next(schedule: string, after: string): string | undefined {
  return nextCronTime(parseCron(schedule), new Date(after))?.toISOString();
}

/** The next `count` runs after `after`. */
function runs(schedule: string, after: string, count: number): string[] {
  const parsed = parseCron(schedule);
  const out: string[] = [];
  let t = new Date(after);
  for (let i = 0; i < count; i++) {
    const n = nextCronTime(parsed, t);
    assert.ok(n, `run ${i} of ${schedule}`);
    out.push(n.toISOString());
    t = n;
  }
  return out;
}

describe('cron: minutes and hours', () => {
  it('`* * * * *` runs every minute, strictly after the given time', () => {
    assert.equal(next('* * * * *', '2026-03-01T12:00:00.000Z'), '2026-03-01T12:01:00.000Z');
    assert.equal(next('* * * * *', '2026-03-01T12:00:59.999Z'), '2026-03-01T12:01:00.000Z');
  });

  it('`*/15` runs at 0, 15, 30 and 45 and rolls into the next hour', () => {
    assert.deepEqual(runs('*/15 * * * *', '2026-03-01T12:07:00Z', 4), [
      '2026-03-01T12:15:00.000Z',
      '2026-03-01T12:30:00.000Z',
      '2026-03-01T12:45:00.000Z',
      '2026-03-01T13:00:00.000Z',
    ]);
  });

  it('lists, ranges and ranges with steps', () => {
    assert.deepEqual(runs('5,10-12,50-59/4 * * * *', '2026-03-01T12:00:00Z', 7), [
      '2026-03-01T12:05:00.000Z',
      '2026-03-01T12:10:00.000Z',
      '2026-03-01T12:11:00.000Z',
      '2026-03-01T12:12:00.000Z',
      '2026-03-01T12:50:00.000Z',
      '2026-03-01T12:54:00.000Z',
      '2026-03-01T12:58:00.000Z',
    ]);
  });

  it('`a/n` steps from a to the end of the field', () => {
    assert.deepEqual(runs('0 20/2 * * *', '2026-03-01T00:00:00Z', 3), [
      '2026-03-01T20:00:00.000Z',
      '2026-03-01T22:00:00.000Z',
      '2026-03-02T20:00:00.000Z',
    ]);
  });

  it('a fixed time of day moves to the next day once it has passed', () => {
    assert.equal(next('30 9 * * *', '2026-03-01T09:30:00Z'), '2026-03-02T09:30:00.000Z');
    assert.equal(next('30 9 * * *', '2026-03-01T09:29:00Z'), '2026-03-01T09:30:00.000Z');
  });
});

describe('cron: days, months and their boundaries', () => {
  it('crosses month and year boundaries', () => {
    assert.equal(next('0 0 * * *', '2026-01-31T23:59:00Z'), '2026-02-01T00:00:00.000Z');
    assert.equal(next('0 0 1 * *', '2026-12-15T00:00:00Z'), '2027-01-01T00:00:00.000Z');
  });

  it('day 31 skips the months that have no 31st', () => {
    assert.deepEqual(runs('0 12 31 * *', '2026-01-31T12:00:00Z', 3), [
      '2026-03-31T12:00:00.000Z',
      '2026-05-31T12:00:00.000Z',
      '2026-07-31T12:00:00.000Z',
    ]);
  });

  it('February 29th comes in leap years only, across the skipped leap year of 2100', () => {
    assert.equal(next('0 0 29 2 *', '2026-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z');
    assert.equal(next('0 0 29 2 *', '2096-03-01T00:00:00Z'), '2104-02-29T00:00:00.000Z');
  });

  it('month and day names, any case; 7 is Sunday like 0', () => {
    assert.equal(next('0 8 * JAN-mar mon', '2026-03-28T00:00:00Z'), '2026-03-30T08:00:00.000Z');
    assert.equal(next('0 8 * apr-dec mon', '2026-03-28T00:00:00Z'), '2026-04-06T08:00:00.000Z');
    assert.equal(next('0 0 * * 7', '2026-03-02T00:00:00Z'), next('0 0 * * 0', '2026-03-02T00:00:00Z'));
    assert.equal(next('0 0 * * 7', '2026-03-02T00:00:00Z'), '2026-03-08T00:00:00.000Z');
  });

  it('both day fields restricted: a day matching either one runs', () => {
    // The 13th of the month or any Friday (2026-03-06 is a Friday, the 13th is a Friday too).
    assert.deepEqual(runs('0 0 13 * 5', '2026-03-01T00:00:00Z', 3), [
      '2026-03-06T00:00:00.000Z',
      '2026-03-13T00:00:00.000Z',
      '2026-03-20T00:00:00.000Z',
    ]);
    assert.deepEqual(runs('0 0 1 * 3', '2026-03-26T00:00:00Z', 2), [
      '2026-04-01T00:00:00.000Z', // a Wednesday and the 1st
      '2026-04-08T00:00:00.000Z',
    ]);
  });

  it('a day field starting with `*` does not restrict: the other one alone decides', () => {
    // Every other day of the month, on Mondays only (`*/2` starts with `*`, as in Vixie cron).
    assert.deepEqual(runs('0 0 */2 * mon', '2026-03-01T00:00:00Z', 2), [
      '2026-03-02T00:00:00.000Z',
      '2026-03-09T00:00:00.000Z',
    ]);
    // The 15th whatever weekday it is.
    assert.equal(next('0 0 15 * *', '2026-03-01T00:00:00Z'), '2026-03-15T00:00:00.000Z');
  });

  it('shorthands', () => {
    assert.equal(next('@hourly', '2026-03-01T12:34:00Z'), '2026-03-01T13:00:00.000Z');
    assert.equal(next('@daily', '2026-03-01T12:34:00Z'), '2026-03-02T00:00:00.000Z');
    assert.equal(next('@weekly', '2026-03-02T12:34:00Z'), '2026-03-08T00:00:00.000Z');
    assert.equal(next('@monthly', '2026-03-02T12:34:00Z'), '2026-04-01T00:00:00.000Z');
    assert.equal(next('@yearly', '2026-03-02T12:34:00Z'), '2027-01-01T00:00:00.000Z');
  });
});

describe('cron: invalid schedules', () => {
  const cases: [string, RegExp][] = [
    ['* * * *', /4 fields/],
    ['* * * * * *', /6 fields/],
    ['60 * * * *', /minute "60" is not between 0 and 59/],
    ['* 24 * * *', /hour "24" is not between 0 and 23/],
    ['* * 0 * *', /day of month "0" is not between 1 and 31/],
    ['* * * 13 *', /month "13" is not between 1 and 12/],
    ['* * * * 8', /day of week "8" is not between 0 and 7/],
    ['*/0 * * * *', /minute step "0" is not a positive integer/],
    ['5-1 * * * *', /minute range "5-1" runs backwards/],
    ['1-2-3 * * * *', /minute "1-2-3"/],
    ['a * * * *', /minute "a"/],
    ['1,,2 * * * *', /minute ""/],
    ['0 0 30 2 *', /no date ever matches it/],
    ['0 0 31 4,6,9,11 *', /no date ever matches it/],
    // croner's extensions, which a CronJob does not read.
    ['0 0 L * *', /day of month "L"/],
    ['0 0 ? * *', /day of month "\?"/],
    ['0 0 * * 1#2', /day of week "1#2"/],
    ['0 0 15W * *', /day of month "15W"/],
    ['@reboot', /@reboot/],
  ];
  for (const [schedule, message] of cases) {
    it(`refuses ${JSON.stringify(schedule)}, naming the field`, () => {
      assert.throws(
        () => parseCron(schedule),
        (error: unknown) =>
          error instanceof FurnaceError &&
          error.code === 'ERR_INVALID_PARAMETER' &&
          error.details.field === 'schedule' &&
          message.test(error.message),
      );
    });
  }
});

describe('cron: the Recording CRD', () => {
  const pattern = new RegExp(CRON_PATTERN);
  it('admits the schedules the operator reads, shorthands included', () => {
    for (const schedule of [
      '*/15 * * * *',
      '0 8 * JAN-mar mon',
      '5,10-12,50-59/4 * * * *',
      '@hourly',
      '@yearly',
    ]) {
      assert.doesNotThrow(() => parseCron(schedule));
      assert.match(schedule, pattern);
    }
  });

  it('refuses what the operator would refuse for its shape', () => {
    for (const schedule of ['* * * *', '@reboot', '0 0 ? * *', '0 0 * * 1#2']) {
      assert.throws(() => parseCron(schedule));
      assert.doesNotMatch(schedule, pattern);
    }
  });
});
