// Injection of a whole manifest (the offline `furnace inject`): Pods and the pod templates of workloads.
// Pure; the CLI reads and writes the text.
import type { V1Pod } from '@kubernetes/client-node';
import { decideInjection } from './decide-injection.ts';
import type { InjectionDecision } from './decide-injection.ts';
import type { InjectionConfig } from './injection-config.ts';
import { injectSidecar } from './inject-sidecar.ts';

type Json = Record<string, unknown>;

/** Kind → where its pod template is. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export interface ManifestResult {
  /** The object, injected where it applies; the same object when nothing changed. */
  object: unknown;
  changed: boolean;
  /** One line per pod or template seen: kind/name and the decision. */
  notes: { what: string; decision: InjectionDecision }[];
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function label(object: Json): string {
  const metadata = isJson(object.metadata) ? object.metadata : {};
  const name = [metadata.name, metadata.generateName].find((n): n is string => typeof n === 'string');
  return `${typeof object.kind === 'string' ? object.kind : '?'}/${name ?? '(unnamed)'}`;
}

function templateParent(object: Json, path: readonly string[]): Json | undefined {
  let node: unknown = object;
  for (const key of path.slice(0, -1)) node = isJson(node) ? node[key] : undefined;
  return isJson(node) ? node : undefined;
}

function injectPodLike(
  pod: V1Pod,
  config: InjectionConfig,
  requireOptIn: boolean,
): [V1Pod, InjectionDecision] {
  const decision = decideInjection(pod, { requireOptIn });
  return [decision.inject ? injectSidecar(pod, config) : pod, decision];
}

export function injectManifestObject(
  object: unknown,
  config: InjectionConfig,
  requireOptIn: boolean,
): ManifestResult {
  if (!isJson(object)) return { object, changed: false, notes: [] };
  if (object.kind === 'List' && Array.isArray(object.items)) {
    const results = object.items.map((item) => injectManifestObject(item, config, requireOptIn));
    const changed = results.some((r) => r.changed);
    return {
      object: changed ? { ...object, items: results.map((r) => r.object) } : object,
      changed,
      notes: results.flatMap((r) => r.notes),
    };
  }
  if (object.kind === 'Pod') {
    const [pod, decision] = injectPodLike(object, config, requireOptIn);
    return { object: pod, changed: decision.inject, notes: [{ what: label(object), decision }] };
  }
  const path = typeof object.kind === 'string' ? TEMPLATE_PATHS[object.kind] : undefined;
  if (!path) return { object, changed: false, notes: [] };
  const copy = structuredClone(object);
  const parent = templateParent(copy, path);
  const key = path[path.length - 1] ?? 'template';
  const template = parent?.[key];
  if (!parent || !isJson(template)) return { object, changed: false, notes: [] };
  const [pod, decision] = injectPodLike(template, config, requireOptIn);
  const notes = [{ what: label(object), decision }];
  if (!decision.inject) return { object, changed: false, notes };
  parent[key] = { ...template, metadata: pod.metadata, spec: pod.spec };
  return { object: copy, changed: true, notes };
}
