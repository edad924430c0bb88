// debuginfod servers in the injection config (`debuginfodUrls`, FURNACE_INJECT_DEBUGINFOD_URLS): validated
// as http(s) URLs, with errors naming the key (or the variable) and the value, and handed to the injected
// sidecar as DEBUGINFOD_URLS, which the sidecar's own reader takes as the same servers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { SIDECAR_CONTAINER_NAME } from '../../../core/contract/names.ts';
import { applyPatch } from '../../../core/injection/compute-patch.ts';
import { parseInjectionConfig } from '../../../core/injection/injection-config.ts';
import { resolveInjectionConfig } from '../../../core/injection/injection-config-env.ts';
import { DEBUGINFO_ENV, readDebugInfoConfig } from '../../../sidecar/symbols/debuginfo-config.ts';
import { expectedError } from '../../harness/expected-error.ts';
import { decodePatch, reviewPodCreate, testConfig } from './injection-support.ts';

const POD: V1Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'shop-0', namespace: 'shop', labels: { furnace: 'enabled' } },
  spec: { containers: [{ name: 'app', image: 'registry.example/shop:1' }] },
};

const rejection = (raw: unknown) =>
  expectedError(FurnaceError, () => parseInjectionConfig(raw), 'expected the config to be rejected');

function injectedSidecar(overrides: Record<string, unknown>): V1Container {
  const outcome = reviewPodCreate(POD, testConfig(overrides));
  const pod = applyPatch(POD, decodePatch(outcome));
  const sidecar = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
    (c) => c.name === SIDECAR_CONTAINER_NAME,
  );
  assert.ok(sidecar, 'the pod has the injected sidecar');
  return sidecar;
}

/** The sidecar's environment as its process sees it (plain values only; field refs are the kubelet's). */
function envOf(container: V1Container): Record<string, string> {
  return Object.fromEntries(
    (container.env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])),
  );
}

describe('debuginfod servers in the injection config', () => {
  const URLS = ['https://debuginfod.example.com', 'http://debuginfod.shop.svc:8002/'];

  it('reach the injected sidecar as DEBUGINFOD_URLS, read by the sidecar as the same servers in order', () => {
    const env = envOf(injectedSidecar({ debuginfodUrls: URLS }));
    assert.equal(env.DEBUGINFOD_URLS, URLS.join(' '));
    assert.equal(DEBUGINFO_ENV.urls, 'DEBUGINFOD_URLS', "the sidecar's variable");
    assert.deepEqual(readDebugInfoConfig(env).urls, [
      'https://debuginfod.example.com',
      'http://debuginfod.shop.svc:8002',
    ]);
  });

  it('leave the sidecar without the variable when none are configured', () => {
    assert.deepEqual(parseInjectionConfig({}).debuginfodUrls, []);
    assert.equal('DEBUGINFOD_URLS' in envOf(injectedSidecar({})), false);
  });

  it('are refused unless each is an http(s) URL without spaces, naming the item and its value', () => {
    for (const bad of [
      'ftp://debuginfod.example.com',
      'debuginfod.example.com',
      'https://a b',
      'http://',
      '',
    ]) {
      const error = rejection({ debuginfodUrls: ['https://ok.example', bad] });
      assert.equal(error.code, 'ERR_INVALID_PARAMETER');
      assert.ok(error.message.includes(`debuginfodUrls[1] = ${JSON.stringify(bad)}`), error.message);
      assert.match(error.message, /http:\/\/ or https:\/\//);
    }
    assert.match(rejection({ debuginfodUrls: 'https://one.example' }).message, /debuginfodUrls = "https/);
    const many = Array.from({ length: 17 }, (_, i) => `https://d${i}.example`);
    assert.match(rejection({ debuginfodUrls: many }).message, /debuginfodUrls = .*at most 16/);
  });

  it('come from FURNACE_INJECT_DEBUGINFOD_URLS, separated by spaces, over the file', () => {
    const config = resolveInjectionConfig({
      file: { path: '/etc/furnace/config/injection.yaml', raw: { debuginfodUrls: ['https://file.example'] } },
      env: { FURNACE_INJECT_DEBUGINFOD_URLS: ' https://a.example  http://b.example:8002 ' },
    });
    assert.deepEqual(config.debuginfodUrls, ['https://a.example', 'http://b.example:8002']);
  });

  it('name the variable or the file a refused URL came from', () => {
    const fromEnv = expectedError(
      FurnaceError,
      () =>
        resolveInjectionConfig({ env: { FURNACE_INJECT_DEBUGINFOD_URLS: 'https://a.example file:///x' } }),
      'refused',
    );
    assert.match(fromEnv.message, /in FURNACE_INJECT_DEBUGINFOD_URLS: debuginfodUrls\[1\] = "file:\/\/\/x"/);
    const fromFile = expectedError(
      FurnaceError,
      () =>
        resolveInjectionConfig({
          env: {},
          file: { path: 'injection.yaml', raw: { debuginfodUrls: ['gopher://x'] } },
        }),
      'refused',
    );
    assert.match(fromFile.message, /in injection\.yaml: debuginfodUrls\[0\] = "gopher:\/\/x"/);
  });
});
