import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FurnaceError } from '../../core/errors.ts';
import { loadInjectionConfig } from '../../server/webhook/load-injection-config.ts';
import { tempDir } from '../harness/temp-dirs.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBconfigTest\n-----END CERTIFICATE-----\n';

describe('loadInjectionConfig', () => {
  it('reads a YAML file, then lets the environment override it key by key', async (t) => {
    const dir = await tempDir(t, 'furnace-injection-config-');
    const file = join(dir, 'injection.yaml');
    await writeFile(
      file,
      'image: registry.example/furnace-sidecar:2\nresources:\n  limits:\n    memory: 2Gi\n',
    );
    await writeFile(join(dir, 'ca.crt'), CA);
    const config = await loadInjectionConfig({
      file,
      env: {
        FURNACE_INJECT_SECURITY_PROFILE: 'capabilities',
        FURNACE_INJECT_CPU_LIMIT: '500m',
        FURNACE_INJECT_SERVER_CA_FILE: join(dir, 'ca.crt'),
      },
    });
    assert.equal(config.image, 'registry.example/furnace-sidecar:2');
    assert.equal(config.securityProfile, 'capabilities');
    assert.deepEqual(config.resources.limits, { cpu: '500m', memory: '2Gi' });
    assert.equal(config.serverCa, CA);
  });

  it('gives the defaults without a file', async () => {
    const config = await loadInjectionConfig({ env: {} });
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
        () => loadInjectionConfig({ file: join(dir, 'missing.yaml'), env: {} }),
        /missing\.yaml cannot be read/,
      ],
      [() => loadInjectionConfig({ file: list, env: {} }), /list\.yaml must hold an object/],
      [
        () => loadInjectionConfig({ file: bad, env: {} }),
        /securityProfile is "root"; allowed: privileged, capabilities/,
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
});
