// Where a watched workload's rollout stands, from the object the API server answers: the version of its pod
// template, whether every pod of that version is up and Ready (and no pod of an older one is left), and its
// pod selector. Pure; one reading for all four kinds, each from its own status fields.
import { createHash } from 'node:crypto';
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { WatchKind } from '../../../core/crd/recording-watch.ts';

export interface WorkloadState {
  /** sha256 of the pod template (keys sorted), first 16 hex digits. */
  version: string;
  /** Every pod is of the current template, and as many are Ready as wanted. */
  rolledOut: boolean;
  /** Why not yet, in the workload's own counts. */
  waiting?: string;
  selector: V1LabelSelector;
}

export interface WorkloadObject {
  metadata?: { generation?: number; uid?: string };
  spec?: {
    replicas?: number;
    selector?: V1LabelSelector | Record<string, string>;
    template?: unknown;
  };
  status?: Record<string, unknown>;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined && v !== null)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  return value;
}

export function templateVersion(template: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(template ?? {})))
    .digest('hex')
    .slice(0, 16);
}

function num(status: Record<string, unknown> | undefined, field: string): number {
  const value = status?.[field];
  return typeof value === 'number' ? value : 0;
}

/** [field, wanted] pairs whose counts must all equal the wanted number, per kind. */
function countsOf(kind: WatchKind, object: WorkloadObject): { field: string; have: number; want: number }[] {
  const status = object.status;
  if (kind === 'DaemonSet') {
    const want = num(status, 'desiredNumberScheduled');
    return ['currentNumberScheduled', 'updatedNumberScheduled', 'numberReady', 'numberAvailable'].map(
      (field) => ({ field, have: num(status, field), want }),
    );
  }
  const want = object.spec?.replicas ?? 1;
  // Deployment and DeploymentConfig count every pod in `replicas` (old ones too), a StatefulSet likewise.
  return ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas']
    .filter(
      (field) => !(kind === 'StatefulSet' && field === 'availableReplicas' && status?.[field] === undefined),
    )
    .map((field) => ({ field, have: num(status, field), want }));
}

/** The selector of a workload; a DeploymentConfig's is a plain label map. */
function selectorOf(kind: WatchKind, object: WorkloadObject): V1LabelSelector {
  const selector = object.spec?.selector ?? {};
  if (kind === 'DeploymentConfig') return { matchLabels: { ...(selector as Record<string, string>) } };
  return selector;
}

export function readWorkloadState(kind: WatchKind, object: WorkloadObject): WorkloadState {
  const version = templateVersion(object.spec?.template);
  const selector = selectorOf(kind, object);
  const generation = object.metadata?.generation ?? 0;
  const observed = num(object.status, 'observedGeneration');
  if (observed < generation)
    return {
      version,
      selector,
      rolledOut: false,
      waiting: `the ${kind} controller has not seen generation ${generation} yet (observed ${observed})`,
    };
  const short = countsOf(kind, object).filter((c) => c.have !== c.want);
  if (kind === 'StatefulSet') {
    const current = object.status?.currentRevision;
    const update = object.status?.updateRevision;
    if (update !== undefined && current !== update)
      short.push({ field: `currentRevision ${String(current)} ≠ updateRevision`, have: 0, want: 0 });
  }
  if (short.length === 0) return { version, selector, rolledOut: true };
  return {
    version,
    selector,
    rolledOut: false,
    waiting: short
      .map((c) => (c.have === 0 && c.want === 0 ? c.field : `${c.field} ${c.have}/${c.want}`))
      .join(', '),
  };
}
