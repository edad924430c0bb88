// A configuration error stops the server (and the sidecar) before anything listens: exit 1 with one
// line naming the key, the value, the allowed values and where the value came from. The ports the
// processes were given are held by this test, so a process that tried to listen first would fail
// with "already in use" instead, and the test would see that line.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { generateDevCertificates } from '../../server/webhook/tls.ts';
import { heldPort } from '../harness/ports.ts';
import { startFurnace } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';

/** A usable certificate pair, so that only the value under test is wrong. */
async function writeCertificates(dir: string): Promise<void> {
  const certs = await generateDevCertificates();
  await writeFile(join(dir, 'tls.crt'), certs.certPem);
  await writeFile(join(dir, 'tls.key'), certs.keyPem);
}

async function exitOf(
  t: TestContext,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = startFurnace(t, args, env);
  const code = await child.exited;
  return { code, output: child.output() };
}

describe('configuration errors stop start-up before anything listens', () => {
  it('local mode: a bad limit in the config file', async (t) => {
    const dir = await tempDir(t, 'furnace-config-error-');
    const api = await heldPort(t);
    const config = join(dir, 'config.yaml');
    await writeFile(config, `port: ${api.port}\ndataDir: ${dir}/data\nlimits:\n  maxFrequency: 0\n`);
    const { code, output } = await exitOf(t, ['server/main.ts', '--local'], { FURNACE_CONFIG: config });
    assert.equal(
      output,
      `furnace: invalid configuration in ${config}: limits.maxFrequency = 0; allowed: an integer from 1 to 100000\n`,
    );
    assert.equal(code, 1);
    assert.equal(api.connections(), 0);
  });

  it('cluster mode: a bad webhook injection file, with the API and webhook ports given', async (t) => {
    const dir = await tempDir(t, 'furnace-config-error-');
    const [api, webhook] = [await heldPort(t), await heldPort(t)];
    await writeCertificates(dir);
    const injection = join(dir, 'injection.yaml');
    await writeFile(injection, 'securityProfile: root\n');
    const config = join(dir, 'config.yaml');
    await writeFile(
      config,
      [
        'host: 127.0.0.1',
        `port: ${api.port}`,
        `dataDir: ${dir}/data`,
        'tls:',
        `  certFile: ${dir}/tls.crt`,
        `  keyFile: ${dir}/tls.key`,
        'webhook:',
        `  port: ${webhook.port}`,
        `  configFile: ${injection}`,
        '',
      ].join('\n'),
    );
    const { code, output } = await exitOf(t, ['server/main.ts'], {
      FURNACE_CONFIG: config,
    });
    assert.equal(
      output,
      `furnace: invalid configuration in ${injection}: securityProfile = "root"; allowed: privileged, capabilities\n`,
    );
    assert.equal(code, 1);
    assert.equal(api.connections() + webhook.connections(), 0);
  });

  it('cluster mode: a bad FURNACE_INJECT_ variable is named as the source', async (t) => {
    const dir = await tempDir(t, 'furnace-config-error-');
    const api = await heldPort(t);
    await writeCertificates(dir);
    const { code, output } = await exitOf(t, ['server/main.ts'], {
      FURNACE_HOST: '127.0.0.1',
      FURNACE_PORT: String(api.port),
      FURNACE_DATA_DIR: `${dir}/data`,
      FURNACE_TLS_CERT: `${dir}/tls.crt`,
      FURNACE_TLS_KEY: `${dir}/tls.key`,
      FURNACE_INJECT_IMAGE_PULL_POLICY: 'always',
    });
    assert.equal(
      output,
      'furnace: invalid configuration in FURNACE_INJECT_IMAGE_PULL_POLICY: imagePullPolicy = "always"; allowed: Always, IfNotPresent, Never\n',
    );
    assert.equal(code, 1);
  });

  it('cluster mode: auth mode proxy on a reachable address without the oauth-proxy client CA', async (t) => {
    const dir = await tempDir(t, 'furnace-config-error-');
    const [api, recorder] = [await heldPort(t), await heldPort(t)];
    await writeCertificates(dir);
    const { code, output } = await exitOf(t, ['server/main.ts'], {
      FURNACE_HOST: '0.0.0.0',
      FURNACE_PORT: String(api.port),
      FURNACE_RECORDER_PORT: String(recorder.port),
      FURNACE_AUTH_MODE: 'proxy',
      FURNACE_DATA_DIR: `${dir}/data`,
      FURNACE_TLS_CERT: `${dir}/tls.crt`,
      FURNACE_TLS_KEY: `${dir}/tls.key`,
    });
    assert.equal(
      output,
      'furnace: invalid configuration in FURNACE_HOST: host = "0.0.0.0"; allowed: a loopback address (127.0.0.1, ::1, localhost) ' +
        "while auth.mode is proxy, unless auth.proxyClientCaFile names the CA of the oauth-proxy's client certificate\n",
    );
    assert.equal(code, 1);
    assert.equal(api.connections() + recorder.connections(), 0);
  });

  it('the sidecar: a bad variable, in one log line', async (t) => {
    const dir = await tempDir(t, 'furnace-config-error-');
    const sidecar = await heldPort(t);
    const { code, output } = await exitOf(t, ['sidecar/main.ts'], {
      FURNACE_SIDECAR_PORT: String(sidecar.port),
      FURNACE_SIDECAR_DATA: dir,
      FURNACE_KEEP_BYTES: 'lots',
    });
    const lines = output.trimEnd().split('\n');
    assert.equal(lines.length, 1, output);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    assert.equal(
      line.msg,
      `invalid configuration: FURNACE_KEEP_BYTES = "lots"; allowed: an integer from 1 to ${Number.MAX_SAFE_INTEGER}`,
    );
    assert.equal(line.key, 'FURNACE_KEEP_BYTES');
    assert.equal(code, 1);
  });
});
