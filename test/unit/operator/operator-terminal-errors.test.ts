// A reconcile that cannot succeed by trying again (the API server's 422 Invalid for what the spec asks, or
// a controller's own TerminalError) is reported in the object's status and not retried; the next change of
// the object queues it again. Other failures (the API server unavailable) still retry with backoff.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeRequestError } from '../../../kube/kube-request.ts';
import type { Controller } from '../../../operator/controller.ts';
import { reconcileKey } from '../../../operator/run-controller.ts';
import { TerminalError } from '../../../operator/terminal-error.ts';
import { createWorkQueue } from '../../../operator/work-queue.ts';
import { RESOURCES } from '../../../operator/resources.ts';

const furnace: KubernetesObject = {
  apiVersion: 'furnace.hyperfoil.io/v1alpha1',
  kind: 'Furnace',
  metadata: { name: 'f' },
};
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A controller whose reconcile throws `error`, noting what it was asked to report. */
function failing(error: Error) {
  const reported: { key: string; reason: string; message: string }[] = [];
  const controller: Controller = {
    name: 'furnace',
    primary: RESOURCES.Furnace,
    reconcile: () => Promise.reject(error),
    reportTerminal: (key, _object, terminal) => {
      reported.push({
        key: `${key.namespace}/${key.name}`,
        reason: terminal.reason,
        message: terminal.message,
      });
      return Promise.resolve();
    },
  };
  return { controller, reported };
}

/** A work queue over reconcileKey whose retry timers are only counted. */
function queueOf(controller: Controller) {
  const retries: number[] = [];
  let reconciles = 0;
  const queue = createWorkQueue({
    handle: (key) => {
      reconciles += 1;
      return reconcileKey(controller, { namespace: 'furnace', name: key }, furnace, quiet);
    },
    onError: (_key, _error, retryInMs) => retries.push(retryInMs),
    setTimer: (callback, ms) => setTimeout(callback, ms + 3_600_000),
  });
  return { queue, retries, reconciles: () => reconciles };
}

describe('operator terminal errors', () => {
  it('reports a 422 of the API server as InvalidSpec in the status and does not retry it', async (t) => {
    const invalid = new KubeRequestError('apply Deployment furnace/furnace-server', {
      status: 422,
      body: { message: 'spec.replicas: Invalid value: -1: must be greater than or equal to 0' },
    });
    const { controller, reported } = failing(invalid);
    const { queue, retries, reconciles } = queueOf(controller);
    t.after(() => queue.stop());
    queue.add('f');
    await queue.idle();
    assert.equal(reconciles(), 1);
    assert.deepEqual(retries, [], 'no retry is scheduled');
    assert.equal(reported.length, 1);
    assert.equal(reported[0]?.key, 'furnace/f');
    assert.equal(reported[0]?.reason, 'InvalidSpec');
    assert.match(reported[0]?.message ?? '', /spec\.replicas: Invalid value: -1/);
    queue.add('f');
    await queue.idle();
    assert.equal(reconciles(), 2, 'a change of the object reconciles it again');
  });

  it("reports a controller's own TerminalError with its reason", async (t) => {
    const { controller, reported } = failing(
      new TerminalError('InvalidSetting', 'spec.server.replicas must be 1 without a bucket'),
    );
    const { queue, retries } = queueOf(controller);
    t.after(() => queue.stop());
    queue.add('f');
    await queue.idle();
    assert.deepEqual(retries, []);
    assert.deepEqual(reported, [
      {
        key: 'furnace/f',
        reason: 'InvalidSetting',
        message: 'spec.server.replicas must be 1 without a bucket',
      },
    ]);
  });

  it('retries with backoff what may succeed later, and reports nothing', async (t) => {
    const unavailable = new KubeRequestError('apply Deployment furnace/furnace-server', {
      status: 503,
      body: {},
    });
    const { controller, reported } = failing(unavailable);
    const { queue, retries } = queueOf(controller);
    t.after(() => queue.stop());
    queue.add('f');
    await queue.idle();
    assert.equal(retries.length, 1, 'a retry is scheduled');
    assert.deepEqual(reported, []);
  });
});
