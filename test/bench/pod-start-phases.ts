// Where a pod's start goes on the test node, for bench:pod-start: containerd's own event stream (`ctr events`,
// nanosecond timestamps of the machine's clock) says when the pod's sandbox container was created and when
// each of its containers' tasks started. With the wall-clock times of `kubectl apply` and of the Deployment
// being available, a start splits into three phases:
//   control  apply → sandbox created: kubectl, the Deployment and ReplicaSet controllers, admission (the
//            webhook for an opted-in pod), the scheduler, the kubelet mounting the pod's volumes
//   node     sandbox created → the last container's task started: the pod's network, then each container
//            created and started, one after another (the kubelet starts a pod's containers in order)
//   status   last task started → available: the kubelet's status, the controllers, `rollout status`
import { spawn } from '../harness/child-processes.ts';

export interface ContainerdEvent {
  /** ms since the epoch. */
  at: number;
  topic: string;
  /** containers/create: the container's id and image; tasks/start: the container's id. */
  id: string;
  image: string;
}

const LINE = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)? \+0000 UTC \S+ (\/\S+) (\{.*\})$/;

/** One line of `ctr events`, or undefined for a line of another shape. */
export function parseContainerdEvent(line: string): ContainerdEvent | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const [, day, time, fraction, topic, json] = m;
  const at = Date.parse(`${day}T${time}Z`) + Number(fraction ?? 0) * 1000;
  let body: { id?: unknown; container_id?: unknown; image?: unknown };
  try {
    body = JSON.parse(json ?? '{}') as typeof body;
  } catch {
    return undefined;
  }
  const id = typeof body.container_id === 'string' ? body.container_id : body.id;
  return {
    at,
    topic: topic ?? '',
    id: typeof id === 'string' ? id : '',
    image: typeof body.image === 'string' ? body.image : '',
  };
}

export interface EventRecorder {
  events(): readonly ContainerdEvent[];
  stop(): void;
}

/** Follows the node's containerd events until stopped. */
export function recordContainerdEvents(socket: string): EventRecorder {
  const events: ContainerdEvent[] = [];
  const child = spawn('ctr', ['--address', socket, 'events'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const event = parseContainerdEvent(line);
      if (event) events.push(event);
    }
  });
  return { events: () => events, stop: () => void child.kill() };
}

export interface StartPhases {
  control: number;
  node: number;
  status: number;
  /** Containers started after the sandbox (the app's, and the sidecar when injected). */
  containers: number;
}

/**
 * The phases of the one pod that started between applyAt and availableAt (ms since the epoch), found by its
 * sandbox's image; undefined when the events do not show exactly one sandbox created in that window.
 */
export function startPhases(
  events: readonly ContainerdEvent[],
  applyAt: number,
  availableAt: number,
  pauseImage: string,
): StartPhases | undefined {
  const window = events.filter((e) => e.at >= applyAt && e.at <= availableAt);
  const sandboxes = window.filter((e) => e.topic === '/containers/create' && e.image === pauseImage);
  const sandbox = sandboxes[0];
  if (!sandbox || sandboxes.length !== 1) return undefined;
  const created = new Set(
    window.filter((e) => e.topic === '/containers/create' && e.image !== pauseImage).map((e) => e.id),
  );
  const starts = window.filter((e) => e.topic === '/tasks/start' && created.has(e.id));
  const last = starts.at(-1);
  if (!last) return undefined;
  return {
    control: sandbox.at - applyAt,
    node: last.at - sandbox.at,
    status: availableAt - last.at,
    containers: starts.length,
  };
}
