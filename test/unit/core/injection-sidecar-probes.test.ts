// The injected profiler must never decide whether the application is ready or when it starts: a pod is
// Ready only when every container is, and a native sidecar's startup probe holds back the main
// containers. So the injected container has no probe at all; the server sees a stuck sidecar through its
// lapsed registration lease instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import { SIDECAR_CONTAINER_NAME } from '../../../core/contract/names.ts';
import { testConfig } from './injection-support.ts';

function pod(restartPolicy: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app-0', labels: { furnace: 'enabled' } },
    spec: {
      restartPolicy,
      containers: [
        {
          name: 'app',
          image: 'example/app:1',
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
        },
      ],
    },
  };
}

function injected(spec: V1Pod['spec']): V1Container | undefined {
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].find(
    (container) => container.name === SIDECAR_CONTAINER_NAME,
  );
}

describe('the injected sidecar and the pod lifecycle', () => {
  it('has no readiness or liveness probe, so a stuck profiler cannot take the app out of its Service', () => {
    const result = injectSidecar(pod('Always'), testConfig());
    const sidecar = injected(result.spec);
    assert.ok(sidecar, 'the sidecar is injected as a container');
    assert.equal(sidecar.readinessProbe, undefined);
    assert.equal(sidecar.livenessProbe, undefined);
    assert.deepEqual(result.spec?.containers[0]?.readinessProbe, { httpGet: { path: '/ready', port: 8080 } });
  });

  it("as a Job's native sidecar, has no startup probe that would hold back the Job's containers", () => {
    const result = injectSidecar(pod('Never'), testConfig());
    const sidecar = result.spec?.initContainers?.find((c) => c.name === SIDECAR_CONTAINER_NAME);
    assert.equal(sidecar?.restartPolicy, 'Always', 'a native sidecar');
    assert.equal(sidecar?.startupProbe, undefined);
    assert.equal(sidecar?.readinessProbe, undefined);
    assert.equal(sidecar?.livenessProbe, undefined);
  });
});
