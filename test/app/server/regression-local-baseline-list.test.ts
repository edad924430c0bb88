// `GET /api/v1/recordings?baselineOf=<key>` in local mode: a baseline there is keyed by the program
// recorded (`pattern/<processPattern>`), and a process pattern is a regular expression that may hold spaces,
// dots, stars, backslashes and slashes; the list finds its pin by that key. The value stays bounded: at
// most 320 characters and no control characters, and a refusal names the field and the limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { folded, pin, recordLocal } from './fixture-local-recordings.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

const listed = (f: Fixture, baselineOf: string) =>
  f.app.inject({ method: 'GET', url: `/api/v1/recordings?baselineOf=${encodeURIComponent(baselineOf)}` });

async function pinnedIds(f: Fixture, baselineOf: string): Promise<string[]> {
  const answer = await listed(f, baselineOf);
  assert.equal(answer.statusCode, 200, answer.body);
  return answer.json<{ items: CatalogEntry[] }>().items.map((entry) => entry.id);
}

describe('?baselineOf= and a pin’s workload in local mode: the key of the program recorded', () => {
  it('lists the recording pinned for a process pattern that has regex characters, spaces and slashes', async (t) => {
    const f = await buildFixture(t, { workloads: 'local' });
    const patterns = ['node .*server\\.js', '/usr/bin/python3 -m (http|json)\\.server', 'p'.repeat(256)];
    for (const [i, pattern] of patterns.entries()) {
      await recordLocal(f, `r${i}`, { pattern }, i, folded('base-0'));
      // Naming the key it takes is the same as naming none, whatever characters the pattern has.
      const pinned = await pin(f, `r${i}`, i === 0 ? { workload: `pattern/${pattern}` } : {});
      assert.equal(pinned.json<CatalogEntry>().baselineOf, `pattern/${pattern}`);
    }
    for (const [i, pattern] of patterns.entries())
      assert.deepEqual(await pinnedIds(f, `pattern/${pattern}`), [`r${i}`], pattern);
    assert.deepEqual(await pinnedIds(f, 'pattern/node .*'), [], 'the key is matched whole, not as a pattern');
  });

  it('refuses a control character and a value over 320 characters, naming the field and the limit', async (t) => {
    const f = await buildFixture(t, { workloads: 'local' });
    for (const value of ['pattern/a\nb', 'pattern/a\u0000', 'pattern/\u007f', 'pattern/\u0085']) {
      const refused = await listed(f, value);
      assert.equal(refused.statusCode, 400, JSON.stringify(value));
      const body = refused.json<{ code: string; message: string; details: { field: string } }>();
      assert.equal(body.code, 'ERR_INVALID_PARAMETER');
      assert.equal(body.details.field, 'baselineOf');
      assert.match(body.message, /^baselineOf .* no control characters, at most 320 characters$/);
    }
    await recordLocal(f, 'r1', { pattern: 'furnace-hot' }, 0, folded('base-0'));
    const named = await pin(f, 'r1', { workload: 'pattern/furnace-hot\u0085' });
    assert.equal(named.statusCode, 400);
    assert.equal(
      named.json<{ message: string }>().message,
      'workload "pattern/furnace-hot\\u0085" is invalid: must have no control characters, at most 320 characters',
    );
    const long = await listed(f, `pattern/${'p'.repeat(313)}`);
    assert.equal(long.statusCode, 400);
    assert.match(long.json<{ message: string }>().message, /^baselineOf .*320 characters/);
    assert.equal((await listed(f, `pattern/${'p'.repeat(312)}`)).statusCode, 200, '320 characters');
  });

  it('keeps a cluster’s filter to <kind>/<name> of a DNS name', async (t) => {
    const f = await buildFixture(t);
    for (const value of ['pattern/node .*server\\.js', 'Deployment/web', 'deployment/web/x']) {
      const refused = await listed(f, value);
      assert.equal(refused.statusCode, 400, value);
      assert.match(refused.json<{ message: string }>().message, /^baselineOf .*<kind>\/<name>/);
    }
    assert.equal((await listed(f, 'deployment/web')).statusCode, 200);
  });
});
