// GET /processes: which processes a start with these settings would record now, as a start chooses
// them (the sidecar itself left out), capped, and a pattern that matches nothing answered in words.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessMatches } from '../../../core/contract/processes.ts';
import { describeMatches } from '../../../sidecar/host/process-preview.ts';
import type { ProcessInfo } from '../../../sidecar/host/process-select.ts';
import { auth, sidecarFixture } from './sidecar-fixture.ts';

describe('sidecar GET /processes', () => {
  it('lists what a start would record, without the sidecar, and says why nothing matches', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const get = (query: string) => fixture.app.inject({ url: `/processes?${query}`, headers: auth });
    const matched = await get('processPattern=prog');
    assert.equal(matched.statusCode, 200, matched.body);
    const body = matched.json<ProcessMatches>();
    assert.deepEqual(
      body.processes.map((p) => [p.pid, p.comm]),
      [[200, 'prog']],
    );
    assert.equal(body.total, 1);
    const sidecar = (await get('processPattern=sidecar')).json<ProcessMatches>();
    assert.equal(sidecar.total, 0, 'the sidecar never lists itself');
    assert.match(sidecar.reason ?? '', /no process matches \/sidecar\/ \(processPattern\)/);
    const byPid = (await get('pid=200')).json<ProcessMatches>();
    assert.equal(byPid.processes[0]?.pid, 200);
    const bad = await get('processPattern=%28');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json<{ details: { field: string } }>().details.field, 'processPattern');
    const noToken = await fixture.app.inject({ url: '/processes?processPattern=prog' });
    assert.equal(noToken.statusCode, 401);
  });

  it('lists the busiest first and at most 50, saying how many matched', () => {
    const many: ProcessInfo[] = Array.from({ length: 70 }, (_, i) => ({
      pid: i + 10,
      ppid: 1,
      comm: `w${i}`,
      cmdline: `/bin/w${i} ${'x'.repeat(300)}`,
      nspid: i + 10,
    }));
    const cpu = new Map([
      [40, 97.25],
      [12, 3],
    ]);
    const answer = describeMatches(many, cpu);
    assert.equal(answer.total, 70);
    assert.equal(answer.processes.length, 50);
    assert.deepEqual(
      answer.processes.slice(0, 2).map((p) => [p.pid, p.cpuPercent]),
      [
        [40, 97.3],
        [12, 3],
      ],
    );
    assert.ok(answer.processes.every((p) => p.cmdline.length <= 256));
  });
});
