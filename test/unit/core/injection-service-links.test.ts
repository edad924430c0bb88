// The kubelet gives every container of a pod (enableServiceLinks defaults to true) variables for each Service
// of its namespace: a Service named `furnace-sidecar` becomes FURNACE_SIDECAR_PORT=tcp://10.0.0.7:443, the
// very name of the sidecar's port setting. The container's own env wins over those, so the injected sidecar
// names every setting such a Service could shadow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import { SIDECAR_CONTAINER_NAME, SIDECAR_PORT, SIDECAR_TLS_PORT } from '../../../core/contract/names.ts';
import { readSidecarConfig } from '../../../sidecar/config.ts';
import { testConfig } from './injection-support.ts';

/** The variables Kubernetes makes for a Service (pkg/kubelet/envvars): NAME_SERVICE_HOST, NAME_PORT, … */
function serviceLinkEnv(service: string, ip: string, port: number): Record<string, string> {
  const name = service.toUpperCase().replaceAll('-', '_');
  const url = `tcp://${ip}:${port}`;
  return {
    [`${name}_SERVICE_HOST`]: ip,
    [`${name}_SERVICE_PORT`]: String(port),
    [`${name}_PORT`]: url,
    [`${name}_PORT_${port}_TCP`]: url,
    [`${name}_PORT_${port}_TCP_PROTO`]: 'tcp',
    [`${name}_PORT_${port}_TCP_PORT`]: String(port),
    [`${name}_PORT_${port}_TCP_ADDR`]: ip,
  };
}

/** The container's environment as the kubelet composes it: service links first, the container's env over them. */
function containerEnv(container: V1Container, links: Record<string, string>): Record<string, string> {
  const env = { ...links };
  for (const variable of container.env ?? []) {
    // fieldRef values, as the downward API would fill them.
    env[variable.name] = variable.value ?? (variable.valueFrom ? 'from-the-downward-api' : '');
  }
  return env;
}

const POD: V1Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'app-0', namespace: 'shop', labels: { furnace: 'enabled' } },
  spec: { containers: [{ name: 'app', image: 'example/app:1' }] },
};

describe('the injected sidecar beside Services of the namespace (service links)', () => {
  it('starts on its own ports when the namespace has Services named furnace, furnace-sidecar and furnace-sidecar-tls', () => {
    const injected = injectSidecar(POD, testConfig());
    const sidecar = [...(injected.spec?.containers ?? []), ...(injected.spec?.initContainers ?? [])].find(
      (container) => container.name === SIDECAR_CONTAINER_NAME,
    );
    assert.ok(sidecar);
    const links = {
      ...serviceLinkEnv('furnace', '10.0.0.5', 443),
      ...serviceLinkEnv('furnace-sidecar', '10.0.0.7', 443),
      ...serviceLinkEnv('furnace-sidecar-tls', '10.0.0.8', 8443),
    };
    const config = readSidecarConfig(containerEnv(sidecar, links), { hostname: 'app-0', tmpDir: '/tmp' });
    assert.equal(config.port, SIDECAR_PORT);
    assert.equal(config.tlsPort, SIDECAR_TLS_PORT);
  });
});
