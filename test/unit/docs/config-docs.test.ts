// The configuration tables in docs/ name exactly what the loaders read: every key and variable the
// code knows is documented, and every documented one is known to the code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/config/config-error.ts';
import { DEFAULT_INJECTION_CONFIG } from '../../../core/injection/injection-config.ts';
import { INJECTION_CONFIG_ENV, SERVER_CA_FILE_ENV } from '../../../core/injection/injection-config-env.ts';
import { SIDECAR_ENV, SIDECAR_LOCAL_ENV } from '../../../core/contract/names.ts';
import { resolveConfig, SERVER_ENV } from '../../../server/config/config.ts';
import { SIDECAR_TUNING_ENV } from '../../../sidecar/config.ts';
import { DEBUGINFO_ENV } from '../../../sidecar/symbols/debuginfo-config.ts';

/** The backticked names in the first `columns` cells of each row of the table under `heading`. */
function documented(doc: string, heading: string, columns: number): Set<string> {
  const text = readFileSync(new URL(`../../../docs/${doc}`, import.meta.url), 'utf8');
  const section = text.slice(text.indexOf(`## ${heading}\n`)).split(/\n## /)[0] ?? '';
  const names = new Set<string>();
  for (const row of section.split('\n').filter((line) => line.startsWith('| `'))) {
    const cells = row
      .split('|')
      .slice(1, 1 + columns)
      .join(' ');
    for (const match of cells.matchAll(/`([^`]+)`/g)) names.add(match[1] ?? '');
  }
  return names;
}

/** The keys the server refuses an unknown one with, under a prefix: what the resolver reads. */
function serverKeysBelow(prefix: string): string[] {
  const raw: Record<string, unknown> = prefix === '' ? { unknownKey: 1 } : { [prefix]: { unknownKey: 1 } };
  try {
    resolveConfig({ local: true, env: {}, file: { path: 'config.yaml', raw } });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const list = /^one of the keys (.*)$/.exec(error.allowed)?.[1] ?? '';
    return list.split(', ').map((name) => (prefix === '' ? name : `${prefix}.${name}`));
  }
  assert.fail(`an unknown key under "${prefix}" was accepted`);
}

describe('configuration docs', () => {
  it('docs/server.md lists every server key and variable, and no other', () => {
    const docs = documented('server.md', 'Configuration', 2);
    const sections = [
      'agent',
      'auth',
      'coordination',
      'ingress',
      'limits',
      'merge',
      'recorder',
      'recording',
      'registration',
      'replicas',
      'requestHeader',
      'retention',
      'security',
      'shutdown',
      'sinkDelivery',
      'storage',
      'symbols',
      'tls',
      'tokenReview',
      'webhook',
    ];
    const nested = ['storage.s3', 'agent.continuous'];
    const keys = serverKeysBelow('')
      .flatMap((key) => (sections.includes(key) ? serverKeysBelow(key) : [key]))
      .flatMap((key) => (nested.includes(key) ? serverKeysBelow(key) : [key]));
    const variables = Object.values(SERVER_ENV).filter((name) => name !== SERVER_ENV.config);
    const expected = [...keys.filter((key) => key !== 'namespaceLimits'), ...variables];
    for (const name of expected) assert.ok(docs.has(name), `docs/server.md does not list ${name}`);
    const known = new Set([...expected, 'namespaceLimits.<ns>.<limit>']);
    for (const name of docs)
      assert.ok(known.has(name), `docs/server.md lists ${name}, which the server does not read`);
  });

  it('docs/webhook.md lists every injection key and FURNACE_INJECT_ variable', () => {
    const docs = documented('webhook.md', 'Configuration', 3);
    const variables = [...Object.keys(INJECTION_CONFIG_ENV), SERVER_CA_FILE_ENV];
    const listed = (key: string): boolean => [...docs].some((n) => n === key || n.startsWith(`${key}.`));
    for (const name of [...Object.keys(DEFAULT_INJECTION_CONFIG), ...variables])
      assert.ok(listed(name), `docs/webhook.md does not list ${name}`);
    for (const name of [...docs].filter((n) => n.startsWith('FURNACE_')))
      assert.ok(variables.includes(name), `docs/webhook.md lists ${name}, which the webhook does not read`);
  });

  it('docs/sidecar.md lists every sidecar variable, and no other', () => {
    const docs = documented('sidecar.md', 'Environment', 1);
    const variables: string[] = [SIDECAR_ENV, SIDECAR_LOCAL_ENV, SIDECAR_TUNING_ENV, DEBUGINFO_ENV].flatMap(
      (group) => Object.values(group),
    );
    for (const name of variables) assert.ok(docs.has(name), `docs/sidecar.md does not list ${name}`);
    for (const name of docs)
      assert.ok(variables.includes(name), `docs/sidecar.md lists ${name}, which the sidecar does not read`);
  });
});
