// `coordination.*` and `shutdown.drainSeconds`: one replica by default; several replicas need the
// server's namespace and an election timing whose steps nest; every refusal names the key and the limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/config-error.ts';
import { resolveConfig } from '../../../server/config/config.ts';

const BASE = {
  tls: { certFile: '/c', keyFile: '/k' },
  webhook: { enabled: false },
  security: { sharedKeyFile: '/shared-key' },
};

function cluster(raw: Record<string, unknown>, env: Record<string, string> = {}) {
  return resolveConfig({ local: false, env, file: { path: 'config.yaml', raw: { ...BASE, ...raw } } });
}

function refused(run: () => unknown, key: string, allowed: RegExp): void {
  assert.throws(
    run,
    (error: unknown) => error instanceof ConfigError && error.key === key && allowed.test(error.allowed),
    `${key} refused`,
  );
}

describe('coordination of replicas in the configuration', () => {
  it('is one replica, always leader, unless set', () => {
    const config = resolveConfig({ local: true, env: {} });
    assert.deepEqual(config.coordination, { mode: 'single' });
    assert.equal(config.drainSeconds, 0);
  });

  it('takes the namespace from the downward API variable, with the default timing', () => {
    const config = cluster({}, { FURNACE_COORDINATION_MODE: 'kubernetes', FURNACE_POD_NAMESPACE: 'furnace' });
    assert.deepEqual(config.coordination, {
      mode: 'kubernetes',
      namespace: 'furnace',
      leaderLease: 'furnace-server-leader',
      timing: { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 },
      slotSeconds: 30,
    });
  });

  it('refuses several replicas without a namespace, in local mode, or with a timing that does not nest', () => {
    refused(() => cluster({ coordination: { mode: 'kubernetes' } }), 'coordination.namespace', /DNS label/);
    refused(
      () => resolveConfig({ local: true, env: { FURNACE_COORDINATION_MODE: 'kubernetes' } }),
      'coordination.mode',
      /single in local mode/,
    );
    refused(
      () => cluster({ coordination: { mode: 'kubernetes', namespace: 'f', renewDeadlineSeconds: 15 } }),
      'coordination.renewDeadlineSeconds',
      /less than coordination.leaseDurationSeconds \(15\)/,
    );
    refused(
      () => cluster({ coordination: { retryPeriodSeconds: 10 } }),
      'coordination.retryPeriodSeconds',
      /less than coordination.renewDeadlineSeconds \(10\)/,
    );
    refused(() => cluster({ shutdown: { drainSeconds: 600 } }), 'shutdown.drainSeconds', /0 to 120/);
  });
});
