// The one interface every reconciler of the operator plugs into. operator/main.ts builds each controller
// from a ControllerFactory and hands it to run-controller.ts, which lists and watches its
// resources, queues keys (namespace/name) and calls `reconcile` — never twice at once for one key.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Applier } from './apply.ts';
import type { ObjectKey, WatchedResource } from './resources.ts';
import type { KubeRequest } from '../kube/kube-request.ts';
import type { TerminalError } from './terminal-error.ts';

/** Another resource whose changes queue keys of the controller's own resource. */
export interface SecondaryWatch {
  resource: WatchedResource;
  /** The primary keys to reconcile when `object` is added, changed or deleted. */
  keysOf(object: KubernetesObject): ObjectKey[];
}

export interface ReconcileOutcome {
  /** Reconcile the key again after this long even when nothing changes (polls, renewals, schedules). */
  requeueAfterMs?: number;
}

export interface OperatorLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What a factory gets from main.ts. Read the environment from `env`, never from process.env. */
export interface OperatorContext {
  kubeConfig: KubeConfig;
  /**
   * The operator's own namespace (FURNACE_OPERATOR_NAMESPACE, from the downward API): its one Furnace
   * lives there, and its namespaced rights are there only.
   */
  namespace: string;
  /** Server-side apply, deletion of what is no longer planned, status patches (apply.ts). */
  applier: Applier;
  /** A raw request with the operator's credentials, for what the applier does not cover. */
  request: KubeRequest;
  log: OperatorLog;
  env: Readonly<Record<string, string | undefined>>;
  now: () => number;
}

export interface Controller<T extends KubernetesObject = KubernetesObject> {
  /** Names the controller in logs and metrics: `furnace`, `recording`. */
  name: string;
  primary: WatchedResource;
  secondaries?: SecondaryWatch[];
  /**
   * Bring the world in line with the object. `object` is the informer's cached copy, or undefined when the
   * object is gone. A throw retries the key with backoff (core/backoff.ts); a returned requeueAfterMs
   * schedules the next look.
   */
  reconcile(key: ObjectKey, object: T | undefined): Promise<ReconcileOutcome | undefined>;
  /**
   * A reconcile failed in a way that retrying cannot fix (terminal-error.ts): say so in the object's
   * status. The key is not retried; the next change of the object queues it again.
   */
  reportTerminal?(key: ObjectKey, object: T, error: TerminalError): Promise<void>;
}

export type ControllerFactory = (context: OperatorContext) => Controller;

/** Keys of the owners of `object` that have the given kind (the usual SecondaryWatch.keysOf). */
export function ownerKeys(object: KubernetesObject, kind: string): ObjectKey[] {
  const namespace = object.metadata?.namespace ?? '';
  return (object.metadata?.ownerReferences ?? [])
    .filter((owner) => owner.kind === kind)
    .map((owner) => ({ namespace, name: owner.name }));
}
