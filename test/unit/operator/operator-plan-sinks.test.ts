// The Furnace spec's sinks planned into the server's config and Deployment: secrets are mounted files
// named by path in the config, never values; the CRD refuses a key without its Secret.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { furnaceSpecSchema } from '../../../core/crd/furnace-crd.ts';
import { serverSinks, sinkVolumes } from '../../../operator/furnace/plan-sinks.ts';
import { resolveConfig } from '../../../server/config/config.ts';

const SINKS = [
  { name: 'collector', type: 'otlp' as const, url: 'https://otel:4318' },
  {
    name: 'team',
    type: 'pyroscope' as const,
    url: 'https://pyroscope.example.com',
    tenant: 'shop',
    recordings: 'named' as const,
    continuous: true,
    secretName: 'pyroscope-credentials',
    tls: { caKey: 'ca.crt' },
    credentials: { usernameKey: 'user', passwordKey: 'password' },
  },
];

describe('sinks in the Furnace spec', () => {
  it('become server sinks with file paths under the mounted Secret, which the server accepts', () => {
    const sinks = serverSinks(SINKS);
    assert.deepEqual(sinks[1], {
      name: 'team',
      type: 'pyroscope',
      url: 'https://pyroscope.example.com',
      tenant: 'shop',
      recordings: 'named',
      continuous: true,
      tls: { caFile: '/etc/furnace/sinks/team/ca.crt' },
      credentials: {
        usernameFile: '/etc/furnace/sinks/team/user',
        passwordFile: '/etc/furnace/sinks/team/password',
      },
    });
    const config = resolveConfig({ local: true, env: {}, file: { path: 'config.yaml', raw: { sinks } } });
    assert.deepEqual(
      config.sinks.map((s) => [s.name, s.continuous]),
      [
        ['collector', false],
        ['team', true],
      ],
      'continuous windows only for the sink whose spec asks for them',
    );
    assert.deepEqual(sinkVolumes(SINKS), {
      volumes: [{ name: 'sink-1', secret: { secretName: 'pyroscope-credentials' } }],
      mounts: [{ name: 'sink-1', mountPath: '/etc/furnace/sinks/team', readOnly: true }],
    });
  });

  it('has continuous in the CRD schema, a boolean', () => {
    assert.equal(furnaceSpecSchema.properties.sinks.items.properties.continuous.type, 'boolean');
  });

  it('has a CRD rule that asks for secretName whenever a key of it is named', () => {
    const rules = furnaceSpecSchema.properties.sinks.items['x-kubernetes-validations'].map((r) => r.rule);
    assert.ok(rules.some((rule) => rule.startsWith('has(self.secretName) ||')));
  });
});
