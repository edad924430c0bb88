// Continuous profiling's contract between the server and a node agent (issue 24). The server says, for
// the agent's node, which pods are selected (their UID, workload and containers with runtime IDs) and at
// which frequency and window length; the agent runs one perf for all of them and sends back windows of
// folded stacks per pod and container. The agent has no Kubernetes credentials, so the plan is all it
// knows of the selection; it checks the plan field by field because it crossed a trust boundary.
import { FurnaceError } from '../contract/errors.ts';

/** Limits of the sampling frequency and the window length (the server's settings and a selection's). */
export const CONTINUOUS_LIMITS = {
  frequency: { default: 19, min: 1, max: 99 },
  windowSeconds: { default: 15, min: 1, max: 300 },
  /** Selected containers per node: one perf event per CPU and container cgroup. */
  maxTargetsPerNode: 64,
} as const;

export interface ContinuousContainer {
  name: string;
  /** The runtime's container ID (64 hex digits). */
  id: string;
}

/** One selected pod of the agent's node. */
export interface ContinuousTarget {
  namespace: string;
  pod: string;
  podUid: string;
  /** `Kind/name` of the pod's controller (a Deployment for a ReplicaSet's pod), or `Pod/<name>`. */
  workload: string;
  containers: ContinuousContainer[];
}

/** What the server answers an agent's `POST /api/v1/agents/continuous`. */
export interface ContinuousPlan {
  frequency: number;
  windowSeconds: number;
  /** Empty: no perf runs. */
  targets: ContinuousTarget[];
}

export const EMPTY_PLAN: ContinuousPlan = {
  frequency: CONTINUOUS_LIMITS.frequency.default,
  windowSeconds: CONTINUOUS_LIMITS.windowSeconds.default,
  targets: [],
};

/** The stacks of one pod's container in one window (folded text, `comm;outer;…;inner count`). */
export interface WindowProfile {
  namespace: string;
  pod: string;
  workload: string;
  container: string;
  folded: string;
}

/** What an agent sends to `PUT /api/v1/agents/continuous/windows`: one window of its node. */
export interface ContinuousWindowUpload {
  node: string;
  /** ms since the epoch. */
  start: number;
  end: number;
  profiles: WindowProfile[];
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const CONTAINER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const UID = /^[0-9a-fA-F-]{1,64}$/;
const CONTAINER_ID = /^[0-9a-f]{64}$/;
/** `Kind/name`: a kind is a word, a name a DNS subdomain. */
export const WORKLOAD_PATTERN = '^[A-Za-z][A-Za-z0-9]{0,62}/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';
const WORKLOAD = new RegExp(WORKLOAD_PATTERN);

function refuse(field: string, reason: string): FurnaceError {
  return new FurnaceError('ERR_INVALID_PARAMETER', `continuous plan: ${field} ${reason}`, { field });
}

function inRange(field: 'frequency' | 'windowSeconds', value: unknown): number {
  const { min, max } = CONTINUOUS_LIMITS[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw refuse(field, `must be an integer from ${min} to ${max}`);
  return value;
}

function readTarget(value: unknown): ContinuousTarget {
  const { namespace, pod, podUid, workload, containers } = (value ?? {}) as Record<string, unknown>;
  if (typeof namespace !== 'string' || !NAME.test(namespace))
    throw refuse('targets[].namespace', 'must be a name');
  if (typeof pod !== 'string' || !NAME.test(pod)) throw refuse('targets[].pod', 'must be a name');
  if (typeof podUid !== 'string' || !UID.test(podUid)) throw refuse('targets[].podUid', 'must be a UID');
  if (typeof workload !== 'string' || !WORKLOAD.test(workload))
    throw refuse('targets[].workload', 'must be Kind/name');
  if (!Array.isArray(containers)) throw refuse('targets[].containers', 'must be a list');
  const read = containers.map((c: unknown) => {
    const { name, id } = (c ?? {}) as Record<string, unknown>;
    if (
      typeof name !== 'string' ||
      !CONTAINER_NAME.test(name) ||
      typeof id !== 'string' ||
      !CONTAINER_ID.test(id)
    )
      throw refuse('targets[].containers[]', 'needs a name and a 64-hex-digit id');
    return { name, id };
  });
  return { namespace, pod, podUid, workload, containers: read };
}

/** The plan of a server's answer, checked field by field; a FurnaceError naming the field when anything is off. */
export function readContinuousPlan(value: unknown): ContinuousPlan {
  const { frequency, windowSeconds, targets } = (value ?? {}) as Record<string, unknown>;
  if (!Array.isArray(targets) || targets.length > CONTINUOUS_LIMITS.maxTargetsPerNode)
    throw refuse('targets', `must be a list of at most ${CONTINUOUS_LIMITS.maxTargetsPerNode}`);
  return {
    frequency: inRange('frequency', frequency),
    windowSeconds: inRange('windowSeconds', windowSeconds),
    targets: targets.map(readTarget),
  };
}

/** A stable text of the plan's perf-relevant part: a change of it restarts the one perf. */
export function planKey(plan: ContinuousPlan): string {
  const containers = plan.targets
    .flatMap((t) => t.containers.map((c) => `${t.podUid}/${c.id}`))
    .sort()
    .join(',');
  return `${plan.frequency}|${plan.windowSeconds}|${containers}`;
}
