// `sinks` and `sinkDelivery.*` in the server's configuration: defaults, and every refusal names the key,
// the value and what is allowed. Secrets are paths of files only, and never go over plain http.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/config-error.ts';
import { resolveConfig } from '../../../server/config/config.ts';

function resolve(raw: Record<string, unknown>) {
  return resolveConfig({ local: true, env: {}, file: { path: 'config.yaml', raw } });
}

function refused(raw: Record<string, unknown>, key: string, allowed: RegExp): void {
  assert.throws(
    () => resolve(raw),
    (error: unknown) => error instanceof ConfigError && error.key === key && allowed.test(error.allowed),
    `${key} refused`,
  );
}

const otlp = { name: 'collector', type: 'otlp', url: 'https://collector:4318' };

describe('sinks in the server configuration', () => {
  it('has none by default, and the delivery defaults', () => {
    const config = resolve({});
    assert.deepEqual(config.sinks, []);
    assert.deepEqual(config.sinkDelivery, {
      maxQueued: 10_000,
      concurrency: 2,
      initialBackoffSeconds: 5,
      maxBackoffSeconds: 300,
      maxAgeSeconds: 86_400,
      windowGraceSeconds: 600,
    });
  });

  it('reads an otlp and a pyroscope sink with their defaults', () => {
    const config = resolve({
      sinks: [
        otlp,
        {
          name: 'pyro',
          type: 'pyroscope',
          url: 'https://pyroscope.example.com/',
          namespaces: ['shop', 'shop'],
          recordings: 'named',
          tenant: 'team-a',
          credentials: { usernameFile: '/s/user', passwordFile: '/s/password' },
          tls: { caFile: '/s/ca.crt' },
        },
      ],
    });
    assert.deepEqual(config.sinks[0], {
      ...otlp,
      recordings: 'all',
      continuous: false,
      timeoutSeconds: 30,
      format: 'pprof',
    });
    assert.deepEqual(config.sinks[1], {
      name: 'pyro',
      type: 'pyroscope',
      url: 'https://pyroscope.example.com/',
      namespaces: ['shop'],
      recordings: 'named',
      continuous: false,
      format: 'pprof',
      tenant: 'team-a',
      timeoutSeconds: 30,
      tls: { caFile: '/s/ca.crt' },
      credentials: { usernameFile: '/s/user', passwordFile: '/s/password' },
    });
  });

  it('refuses what would send secrets in clear, inline or to the wrong place', () => {
    const bearer = { credentials: { bearerTokenFile: '/s/token' } };
    refused(
      { sinks: [{ ...otlp, url: 'http://collector:4318', ...bearer }] },
      'sinks[0].url',
      /never sent over plain http/,
    );
    refused({ sinks: [{ ...otlp, url: 'https://user:pw@collector' }] }, 'sinks[0].url', /without user/);
    refused({ sinks: [{ ...otlp, url: 'https://collector/?x=1' }] }, 'sinks[0].url', /query/);
    refused({ sinks: [{ ...otlp, url: 'file:///etc/passwd' }] }, 'sinks[0].url', /http/);
    refused(
      { sinks: [{ ...otlp, credentials: { password: 'inline' } }] },
      'sinks[0].credentials.password',
      /bearerTokenFile/,
    );
    refused(
      { sinks: [{ ...otlp, credentials: { usernameFile: '/u' } }] },
      'sinks[0].credentials',
      /go together/,
    );
    refused(
      {
        sinks: [{ ...otlp, credentials: { bearerTokenFile: '/t', usernameFile: '/u', passwordFile: '/p' } }],
      },
      'sinks[0].credentials',
      /either/,
    );
    refused({ sinks: [{ ...otlp, tls: { certFile: '/c' } }] }, 'sinks[0].tls.keyFile', /go together/);
  });

  it('refuses unknown keys, bad names, duplicates and pyroscope keys on an otlp sink', () => {
    refused({ sinks: [{ ...otlp, headers: {} }] }, 'sinks[0].headers', /one of the keys/);
    refused({ sinks: [{ ...otlp, name: 'Team Sink' }] }, 'sinks[0].name', /DNS label/);
    refused({ sinks: [otlp, otlp] }, 'sinks[1].name', /no other sink/);
    refused({ sinks: [{ ...otlp, tenant: 'x' }] }, 'sinks[0].tenant', /only pyroscope/);
    refused({ sinks: [{ ...otlp, type: 'jaeger' }] }, 'sinks[0].type', /otlp, pyroscope/);
    refused({ sinks: [{ ...otlp, type: 'pyroscope', tenant: 'a b' }] }, 'sinks[0].tenant', /printable ASCII/);
    refused({ sinks: [{ ...otlp, namespaces: [] }] }, 'sinks[0].namespaces', /non-empty list/);
    refused({ sinks: { collector: otlp } }, 'sinks', /a list/);
    refused(
      { sinkDelivery: { initialBackoffSeconds: 60, maxBackoffSeconds: 10 } },
      'sinkDelivery.maxBackoffSeconds',
      /at least/,
    );
    refused({ sinkDelivery: { maxQueued: 0 } }, 'sinkDelivery.maxQueued', /1 to 1000000/);
    refused({ sinks: [{ ...otlp, continuous: 'yes' }] }, 'sinks[0].continuous', /true or false/);
    refused({ sinkDelivery: { windowGraceSeconds: 3600 } }, 'sinkDelivery.windowGraceSeconds', /60 to 3000/);
  });

  it('takes continuous windows only when a sink asks for them', () => {
    const config = resolve({
      sinks: [
        { ...otlp, continuous: true },
        { ...otlp, name: 'other' },
      ],
    });
    assert.deepEqual(
      config.sinks.map((s) => s.continuous),
      [true, false],
    );
  });
});
