import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { loadServerConfig } from '../../../server/config/load-config.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBconfigTest\n-----END CERTIFICATE-----\n';

/** A cluster-mode server config file whose webhook reads `injection` (a path), as FURNACE_CONFIG names it. */
async function serverConfigFile(dir: string, injection?: string): Promise<string> {
  const path = join(dir, 'server.yaml');
  const webhook = injection ? `webhook:\n  configFile: ${injection}\n` : '';
  await writeFile(path, `tls:\n  certFile: /c\n  keyFile: /k\n${webhook}`);
  return path;
}

/** The injection config as the server loads it, with the webhook's file and the environment. */
async function loadInjection(dir: string, injection: string | undefined, env: Record<string, string>) {
  const config = await loadServerConfig({
    env: { FURNACE_CONFIG: await serverConfigFile(dir, injection), ...env },
    local: false,
  });
  assert.ok(config.webhook, 'the webhook is enabled in a cluster');
  return config.webhook.injection;
}

describe('the injection config, loaded with the server configuration', () => {
  it('reads a YAML file, then lets the environment override it key by key', async (t) => {
    const dir = await tempDir(t, 'furnace-injection-config-');
    const file = join(dir, 'injection.yaml');
    await writeFile(
      file,
      'image: registry.example/furnace-sidecar:2\nresources:\n  limits:\n    memory: 2Gi\n',
    );
    await writeFile(join(dir, 'ca.crt'), CA);
    const config = await loadInjection(dir, file, {
      FURNACE_INJECT_SECURITY_PROFILE: 'capabilities',
      FURNACE_INJECT_CPU_LIMIT: '500m',
      FURNACE_INJECT_SERVER_CA_FILE: join(dir, 'ca.crt'),
    });
    assert.equal(config.image, 'registry.example/furnace-sidecar:2');
    assert.equal(config.securityProfile, 'capabilities');
    assert.deepEqual(config.resources.limits, { cpu: '500m', memory: '2Gi' });
    assert.equal(config.serverCa, CA);
  });

  it('gives the defaults without a file', async (t) => {
    const config = await loadInjection(await tempDir(t, 'furnace-injection-config-'), undefined, {});
    assert.equal(config.securityProfile, 'privileged');
  });

  it('stops with a message naming the file or the key', async (t) => {
    const dir = await tempDir(t, 'furnace-injection-config-');
    const list = join(dir, 'list.yaml');
    await writeFile(list, '- image\n');
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'securityProfile: root\n');
    // Each case is a thunk: a rejected promise created before assert.rejects sees it would be unhandled.
    const cases: [() => Promise<unknown>, RegExp][] = [
      [
        () => loadInjection(dir, join(dir, 'missing.yaml'), {}),
        /server\.yaml: webhook\.configFile = ".*missing\.yaml"; allowed: a readable file \(ENOENT/,
      ],
      [() => loadInjection(dir, list, {}), /list\.yaml: \(file\) = \["image"\]; allowed: a mapping of keys/],
      [
        () => loadInjection(dir, bad, {}),
        /bad\.yaml: securityProfile = "root"; allowed: privileged, capabilities/,
      ],
      [
        () => loadInjection(dir, undefined, { FURNACE_INJECT_SERVER_CA_FILE: join(dir, 'no-ca.crt') }),
        /FURNACE_INJECT_SERVER_CA_FILE = ".*no-ca\.crt"; allowed: a readable file/,
      ],
    ];
    for (const [load, message] of cases) {
      await assert.rejects(load, (error: unknown) => {
        assert.ok(error instanceof FurnaceError);
        assert.match(error.message, message);
        return true;
      });
    }
  });

  it('reads no injection file in local mode, where there is no webhook', async (t) => {
    const dir = await tempDir(t, 'furnace-injection-config-');
    const path = join(dir, 'local.yaml');
    await writeFile(path, `webhook:\n  configFile: ${join(dir, 'missing.yaml')}\n`);
    const config = await loadServerConfig({ env: { FURNACE_CONFIG: path }, local: true });
    assert.equal(config.webhook, undefined);
  });
});
