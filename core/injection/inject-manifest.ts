// Injection of a whole manifest (the offline `furnace inject`): Pods and the pod templates of workloads.
// Everything else passes through untouched. Pure; the CLI reads and writes the text.
import type { V1Pod } from '@kubernetes/client-node';
import { decideInjection } from './decide-injection.ts';
import type { DecideOptions, InjectionDecision } from './decide-injection.ts';
import type { InjectionConfig } from './injection-config.ts';
import { injectSidecar } from './inject-sidecar.ts';
import { isRecord } from './is-record.ts';

type Json = Record<string, unknown>;

/** `group/Kind` (core kinds have an empty group) → where its pod template is; [] for a Pod itself. */
const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  '/Pod': [],
  '/ReplicationController': ['spec', 'template'],
  'apps/Deployment': ['spec', 'template'],
  'apps/StatefulSet': ['spec', 'template'],
  'apps/DaemonSet': ['spec', 'template'],
  'apps/ReplicaSet': ['spec', 'template'],
  'batch/Job': ['spec', 'template'],
  'batch/CronJob': ['spec', 'jobTemplate', 'spec', 'template'],
  // OpenShift's (deprecated, still common) workload: its template is a plain pod template.
  'apps.openshift.io/DeploymentConfig': ['spec', 'template'],
};

/** The kinds `furnace inject` injects, as `Kind (group)`, for usage texts and notes. */
export const INJECTED_KINDS: readonly string[] = Object.keys(POD_TEMPLATE_PATHS).map((key) => {
  const [group, kind] = key.split('/');
  return group === '' ? `${kind}` : `${kind} (${group})`;
});

export interface ManifestOptions extends DecideOptions {
  config: InjectionConfig;
}

export interface ManifestResult {
  /** The object, injected where it applies; the same object when nothing changed. */
  object: unknown;
  changed: boolean;
  /** One line per pod or template seen: kind/name and the decision. */
  notes: { what: string; decision: InjectionDecision }[];
}

function label(object: Json): string {
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const name = [metadata.name, metadata.generateName].find((n): n is string => typeof n === 'string');
  return `${typeof object.kind === 'string' ? object.kind : '?'}/${name ?? '(unnamed)'}`;
}

/** Where the pod template of this object is, or undefined for a kind that is not injected. */
function templatePath(object: Json): readonly string[] | undefined {
  if (typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') return undefined;
  const slash = object.apiVersion.lastIndexOf('/');
  const group = slash === -1 ? '' : object.apiVersion.slice(0, slash);
  return POD_TEMPLATE_PATHS[`${group}/${object.kind}`];
}

function parentOf(object: Json, path: readonly string[]): Json | undefined {
  let node: unknown = object;
  for (const key of path.slice(0, -1)) node = isRecord(node) ? node[key] : undefined;
  return isRecord(node) ? node : undefined;
}

function injectPodLike(pod: V1Pod, options: ManifestOptions): [V1Pod, InjectionDecision] {
  const decision = decideInjection(pod, options);
  return [decision.inject ? injectSidecar(pod, options.config) : pod, decision];
}

function injectList(object: Json, items: unknown[], options: ManifestOptions): ManifestResult {
  const results = items.map((item) => injectManifestObject(item, options));
  const changed = results.some((r) => r.changed);
  return {
    object: changed ? { ...object, items: results.map((r) => r.object) } : object,
    changed,
    notes: results.flatMap((r) => r.notes),
  };
}

export function injectManifestObject(object: unknown, options: ManifestOptions): ManifestResult {
  const unchanged: ManifestResult = { object, changed: false, notes: [] };
  if (!isRecord(object)) return unchanged;
  // `kubectl get -o yaml` of several objects; `items: null` (an empty list) passes through.
  if (object.kind === 'List' && Array.isArray(object.items)) return injectList(object, object.items, options);
  const path = templatePath(object);
  if (path === undefined) return unchanged;
  if (path.length === 0) {
    const [pod, decision] = injectPodLike(object, options);
    return { object: pod, changed: decision.inject, notes: [{ what: label(object), decision }] };
  }
  const copy = structuredClone(object);
  const parent = parentOf(copy, path);
  const key = path[path.length - 1] ?? 'template';
  const template = parent?.[key];
  if (!parent || !isRecord(template)) return unchanged;
  const [pod, decision] = injectPodLike(template, options);
  const notes = [{ what: label(object), decision }];
  if (!decision.inject) return { ...unchanged, notes };
  parent[key] = { ...template, metadata: pod.metadata, spec: pod.spec };
  return { object: copy, changed: true, notes };
}
