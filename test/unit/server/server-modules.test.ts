// The server's modules (server/modules/): the runner starts them in the order their needs make, refuses a
// cycle or a need that is no module before anything starts, reports ready only when every module is, runs
// chores only while leading, and stops in exactly the reverse of the start order, releases and the drain
// first. The server's own table is ordered the same way: every need starts before the module that has it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Leadership } from '../../../kube/leases/leader-election.ts';
import { SERVER_MODULES } from '../../../server/modules/module-table.ts';
import { orderModules, runModules } from '../../../server/modules/run-modules.ts';
import type { ServerModule, StartedModule } from '../../../server/modules/server-module.ts';

type Names = Record<string, unknown>;
type TestModule = ServerModule<Names, { events: string[] }>;

/** A module that notes its start and stop, and provides its name with the values of what it needs. */
function noting(name: string, needs: string[], extra: Partial<StartedModule<unknown>> = {}): TestModule {
  return {
    name,
    needs,
    start: ({ base, get }) => {
      base.events.push(`start ${name}`);
      return {
        provides: [name, ...needs.map((need) => String(get(need)))].join('+'),
        stop: () => {
          base.events.push(`stop ${name}`);
        },
        ...extra,
      };
    },
  };
}

/** A Leadership whose lead the test hands over. */
function handedLeadership(events: string[]): Leadership & { lead(leading: boolean): void } {
  let leading = false;
  const listeners = new Set<(leading: boolean) => void>();
  return {
    isLeader: () => leading,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => {
      events.push('release lease');
      return Promise.resolve();
    },
    lead(now) {
      leading = now;
      for (const listener of listeners) listener(now);
    },
  };
}

const log = { warn: () => undefined };

describe('server modules', () => {
  it('start in the order of their needs and stop in exactly the reverse', async () => {
    const events: string[] = [];
    const running = await runModules({
      modules: [
        noting('listeners', ['catalog', 'cluster']),
        noting('catalog', ['cluster']),
        noting('cluster', []),
      ],
      base: { events },
      log,
    });
    assert.deepEqual(running.order, ['cluster', 'catalog', 'listeners']);
    assert.equal(running.get('listeners'), 'listeners+catalog+cluster+cluster');
    const starts = events.splice(0);
    await running.stop({ drainMs: 0, graceMs: 0 });
    assert.deepEqual(
      events.map((event) => event.replace('stop ', '')),
      starts.map((event) => event.replace('start ', '')).reverse(),
    );
  });

  it('refuses a cycle and a need that is no module before anything starts', async () => {
    const events: string[] = [];
    await assert.rejects(
      runModules({
        modules: [noting('a', ['c']), noting('b', ['a']), noting('c', ['b']), noting('d', [])],
        base: { events },
        log,
      }),
      /server modules need each other in a cycle: a → c → b → a/,
    );
    await assert.rejects(
      runModules({ modules: [noting('a', ['ghost'])], base: { events }, log }),
      /server module a needs ghost, which is no module/,
    );
    assert.deepEqual(events, [], 'nothing started');
  });

  it('stops what started when a later module fails to start', async () => {
    const events: string[] = [];
    const failing: TestModule = {
      name: 'webhook',
      needs: ['cluster'],
      start: () => Promise.reject(new Error('port 8443 is already in use')),
    };
    await assert.rejects(
      runModules({
        modules: [noting('cluster', []), noting('catalog', ['cluster']), failing],
        base: { events },
        log,
      }),
      /port 8443/,
    );
    assert.deepEqual(events, ['start cluster', 'start catalog', 'stop catalog', 'stop cluster']);
  });

  it('is ready when every module is, and not from the first moment of a stop', async () => {
    const events: string[] = [];
    let synced = false;
    const draining = { on: false };
    const running = await runModules({
      modules: [noting('cluster', []), noting('podWatch', ['cluster'], { isReady: () => synced })],
      base: { events },
      log,
      draining,
    });
    assert.equal(running.isReady(), false, 'the watch has not listed yet');
    synced = true;
    assert.equal(running.isReady(), true);
    const stopped = running.stop({ drainMs: 0, graceMs: 0 });
    assert.equal(running.isReady(), false);
    assert.equal(draining.on, true);
    await stopped;
  });

  it('runs chores only while leading, and releases the lease before the drain and the modules stop', async () => {
    const events: string[] = [];
    const leadership = handedLeadership(events);
    const leader: TestModule = {
      name: 'leader',
      needs: [],
      start: () => ({ provides: leadership, release: () => leadership.stop() }),
    };
    const chore = {
      name: 'retention',
      everyMs: 3_600_000,
      run: () => Promise.resolve(events.push('retention')),
    };
    const running = await runModules({
      modules: [leader, noting('catalog', [], { chores: [chore] })],
      base: { events },
      log,
      leader: 'leader',
    });
    assert.equal(running.chores.runs('retention'), 0, 'not leading: no run');
    leadership.lead(true);
    assert.equal(running.chores.runs('retention'), 1, 'a run as soon as it leads');
    events.splice(0);
    await running.stop({ drainMs: 0, graceMs: 0 });
    assert.deepEqual(events, ['release lease', 'stop catalog']);
  });

  it('gives a module the routes of every module started before it, in start order', async () => {
    const events: string[] = [];
    const routesOf = (name: string) => ({ user: () => void events.push(`user ${name}`) });
    let seen: string[] = [];
    const listeners: TestModule = {
      name: 'listeners',
      needs: ['catalog', 'registration'],
      start: ({ routes }) => {
        for (const route of routes()) void route.user?.(undefined as never);
        seen = events.splice(0);
        return { provides: 'listening' };
      },
    };
    await runModules({
      modules: [
        listeners,
        noting('registration', ['cluster'], { routes: routesOf('registration') }),
        noting('catalog', ['cluster'], { routes: routesOf('catalog') }),
        noting('cluster', []),
      ],
      base: { events },
      log,
    });
    assert.deepEqual(seen, [
      'start cluster',
      'start catalog',
      'start registration',
      'user catalog',
      'user registration',
    ]);
  });

  it('orders the server’s own table so that each module starts after what it needs', () => {
    const order = orderModules(SERVER_MODULES).map((module) => module.name);
    assert.equal(order.length, SERVER_MODULES.length);
    for (const module of SERVER_MODULES)
      for (const need of module.needs)
        assert.ok(
          order.indexOf(need) < order.indexOf(module.name),
          `${String(need)} starts before ${module.name}`,
        );
    assert.deepEqual(
      order.slice(-3),
      ['listeners', 'webhook', 'localSidecar'],
      'listeners start last, stop first',
    );
  });
});
