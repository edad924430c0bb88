// Removes registrations of deleted pods, and keeps the pods registration and agent mode read. Only the
// pods Furnace can act on are watched: those of opted-in namespaces (label furnace=enabled, which
// registration and agent routing require) and, in agent mode, those of Furnace's own namespace where the
// agents run. A watch of the opted-in namespaces starts and stops one pod watch per namespace; every
// informer runs inside kube/informer-supervisor.ts, which builds a new one with backoff whenever it fails.
// The cache keeps only what registration reads of a pod (slimPod): a cluster's pods in full would
// cost the server tens of MiB per thousand pods.
import { superviseInformer, type SupervisedInformer } from '../../kube/informer-supervisor.ts';
import { listInPages } from '../../kube/list-pages.ts';
import { PacedWatch } from '../../kube/paced-watch.ts';
import { SlimWatch } from '../../kube/slim-watch.ts';
import {
  INJECTED_ANNOTATION,
  NAMESPACE_LABEL,
  NAMESPACE_LABEL_VALUE,
  POD_OPT_IN_KEY,
  SIDECAR_CONTAINER_NAME,
} from '../../core/contract/names.ts';
import { SIDECAR_VOLUME_PREFIX } from '../../core/injection/sidecar-volumes.ts';
import { withoutServiceAccountMount } from './injected-sidecar.ts';
import { sharedCopies } from './shared-copies.ts';
import {
  CoreV1Api,
  Watch,
  type KubeConfig,
  type V1Container,
  type V1ContainerStatus,
  type V1Namespace,
  type V1ObjectMeta,
  type V1Pod,
  type V1PodList,
  type V1PodSpec,
  type V1PodStatus,
} from '@kubernetes/client-node';

export interface PodWatchDeps {
  kc: KubeConfig;
  /** Namespaces whose pods are watched whether opted in or not (agent mode: where the agents run). */
  alwaysNamespaces?: readonly string[];
  onDeleted: (namespace: string, pod: string, podUid: string | undefined) => void;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  setTimer?: (callback: () => void, ms: number) => NodeJS.Timeout;
}

export interface PodWatch {
  /**
   * True once the opted-in namespaces were listed and each of their pod watches (and those of
   * alwaysNamespaces) listed its pods; it stays true after that, so a namespace that opts in later never
   * takes the server out of its Service while its first list runs (its pods are read from the API server
   * until then).
   */
  isSynced(): boolean;
  /** The pod as last seen by the watch, slimmed (slimPod), so renewals need no API call. */
  getPod(namespace: string, name: string): V1Pod | undefined;
  /** Every pod the watches have seen (slimmed); agent mode lists the running ones of nodes with an agent. */
  listPods(): readonly V1Pod[];
  stop(): Promise<void>;
}

/** Pods listed per page, so the first list never holds the whole cluster's pods in full at once. */
const LIST_PAGE_SIZE = 500;

/**
 * Only pods with an IP are watched: a sidecar registers from its pod's IP and an agent records running pods,
 * so a pod without one is of no use yet. The API server filters: the events of a pod's creation and
 * scheduling (each a whole pod of ~25 kB to parse, arriving while the webhook answers for the next ones)
 * never reach the server; the pod is ADDED when its IP is set, and DELETED when it goes or loses it. A pod
 * not in the cache is read from the API server (registration, agent routing), as before the first list.
 */
export const POD_WATCH_FIELD_SELECTOR = 'status.podIP!=';

/** The IP, the phase and the containers' runtime IDs (agent mode maps processes to containers with them). */
function slimStatus(status: V1PodStatus): V1PodStatus {
  const slimStatuses = (list: V1ContainerStatus[]) =>
    list.map((c) => ({ name: c.name, containerID: c.containerID }) as V1ContainerStatus);
  return {
    podIP: status.podIP,
    ...(status.phase ? { phase: status.phase } : {}),
    ...(status.containerStatuses ? { containerStatuses: slimStatuses(status.containerStatuses) } : {}),
    ...(status.initContainerStatuses
      ? { initContainerStatuses: slimStatuses(status.initContainerStatuses) }
      : {}),
  };
}

/**
 * Distinct injected parts kept shared: a cluster has a few per Furnace version and setting. 5,000 copies of
 * the same sidecar took about a quarter of the server's 128 MiB heap (V1EnvVar alone 60,000 objects).
 */
const sharedCopy = sharedCopies(256);

/**
 * The sidecar as registration compares it, shared. The API server mounts each pod's own API token volume
 * (`kube-api-access-<random>`) into every container, so no two pods' sidecars are alike as stored: the
 * comparison ignores that mount (injected-sidecar.ts), and so does the cache. Its env is shared variable
 * by variable too, since FURNACE_TARGETS differs from one workload to the next; pods alike share the
 * whole container.
 */
function slimSidecar(c: V1Container): V1Container {
  const { env, ...rest } = withoutServiceAccountMount(c);
  return sharedCopy({ ...sharedCopy(rest), ...(env ? { env: env.map(sharedCopy) } : {}) });
}

function slimContainer(c: V1Container): V1Container {
  return c.name === SIDECAR_CONTAINER_NAME ? slimSidecar(c) : { name: c.name };
}

/**
 * hostNetwork, the node, the containers (the furnace one whole, which registration compares with what
 * the webhook injects, the others by name), the volumes the webhook adds and the pull secrets they
 * depend on.
 */
function slimSpec(spec: V1PodSpec | undefined): V1PodSpec {
  const sidecarVolumes = (spec?.volumes ?? []).filter((v) => v.name.startsWith(SIDECAR_VOLUME_PREFIX));
  return {
    ...(spec?.nodeName ? { nodeName: spec.nodeName } : {}),
    ...(spec?.hostNetwork ? { hostNetwork: true } : {}),
    ...(spec?.imagePullSecrets ? { imagePullSecrets: sharedCopy(spec.imagePullSecrets) } : {}),
    ...(sidecarVolumes.length > 0 ? { volumes: sharedCopy(sidecarVolumes) } : {}),
    containers: (spec?.containers ?? []).map(slimContainer),
    // The sidecar is kept whole (its restartPolicy with it); other init containers by name and policy.
    initContainers: (spec?.initContainers ?? []).map((c) =>
      c.name === SIDECAR_CONTAINER_NAME ? slimSidecar(c) : { name: c.name, restartPolicy: c.restartPolicy },
    ),
  };
}

/** Only the entries of `map` under `keys`; undefined when none is there. */
function pick(map: Record<string, string> | undefined, keys: string[]): Record<string, string> | undefined {
  const kept = Object.entries(map ?? {}).filter(([key]) => keys.includes(key));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** Identity, deletion, the webhook's marker annotation and the pod's own `furnace` label and annotation. */
function slimMetadata(metadata: V1ObjectMeta): V1ObjectMeta {
  const { name, namespace, uid, resourceVersion, deletionTimestamp, creationTimestamp } = metadata;
  const annotations = pick(metadata.annotations, [INJECTED_ANNOTATION, POD_OPT_IN_KEY]);
  // Every label (continuous profiling selects pods by label) and the controller (its workload).
  const labels = metadata.labels && Object.keys(metadata.labels).length > 0 ? metadata.labels : undefined;
  const controller = metadata.ownerReferences?.find((o) => o.controller === true);
  return {
    name,
    namespace,
    uid,
    resourceVersion,
    deletionTimestamp,
    // A node's continuous plan takes a namespace's oldest pods first (continuous/plan-node.ts).
    ...(creationTimestamp ? { creationTimestamp } : {}),
    ...(controller ? { ownerReferences: [{ ...controller }] } : {}),
    ...(annotations ? { annotations } : {}),
    ...(labels ? { labels } : {}),
  };
}

/**
 * The fields registration reads (pod-identity.ts): identity, deletion, the webhook's marker annotation,
 * the pod's own `furnace` label and annotation (an opted-out pod is never recorded by an agent), the
 * spec as slimSpec keeps it, and the IP; for agent mode the node, the phase and the containers' runtime
 * IDs. resourceVersion stays for the informer's bookkeeping.
 */
export function slimPod(pod: V1Pod): V1Pod {
  return {
    metadata: slimMetadata(pod.metadata ?? {}),
    spec: slimSpec(pod.spec),
    status: slimStatus(pod.status ?? {}),
  };
}

/** Lists every pod page by page, keeping slim pods; the list's resourceVersion starts the watch. */
export function listSlimPods(
  list: (page: { limit: number; _continue?: string; fieldSelector: string }) => Promise<V1PodList>,
): Promise<V1PodList> {
  return listInPages(async (token) => {
    const page = await list({
      limit: LIST_PAGE_SIZE,
      _continue: token,
      fieldSelector: POD_WATCH_FIELD_SELECTOR,
    });
    return {
      items: page.items,
      resourceVersion: page.metadata?.resourceVersion,
      continue: page.metadata?._continue,
    };
  }, slimPod);
}

function watchNamespacePods(deps: PodWatchDeps, core: CoreV1Api, namespace: string) {
  return superviseInformer<V1Pod>({
    path: `/api/v1/namespaces/${namespace}/pods`,
    name: 'pod watch',
    logFields: { namespace },
    fieldSelector: POD_WATCH_FIELD_SELECTOR,
    // Slim pods, handed over one per turn of the event loop (PacedWatch): a burst of pod events never
    // holds the admission webhook's calls.
    makeWatch: () => new SlimWatch(deps.kc, (pod) => slimPod(pod as V1Pod), new PacedWatch(deps.kc)),
    list: () => listSlimPods((page) => core.listNamespacedPod({ namespace, ...page })),
    onDelete: (pod) => {
      const { name, uid } = pod.metadata ?? {};
      if (name) deps.onDeleted(namespace, name, uid);
    },
    log: deps.log,
    setTimer: deps.setTimer,
  });
}

/** Only the name and labels of a namespace are kept: the pod watches need nothing else. */
function slimNamespace(namespace: V1Namespace): V1Namespace {
  const { name, resourceVersion, labels } = namespace.metadata ?? {};
  return { metadata: { name, resourceVersion, ...(labels ? { labels } : {}) } };
}

const OPTED_IN = `${NAMESPACE_LABEL}=${NAMESPACE_LABEL_VALUE}`;

export function startPodWatch(deps: PodWatchDeps): PodWatch {
  const core = deps.kc.makeApiClient(CoreV1Api);
  const pods = new Map<string, SupervisedInformer<V1Pod>>();
  const { alwaysNamespaces = [] } = deps;
  const always = new Set(alwaysNamespaces);
  let stopped = false;
  const follow = (namespace: string): void => {
    if (!stopped && !pods.has(namespace)) pods.set(namespace, watchNamespacePods(deps, core, namespace));
  };
  const unfollow = (namespace: string): void => {
    const informer = pods.get(namespace);
    if (!informer || always.has(namespace)) return;
    // Opted out: its pods are forgotten; their registrations end when their renewals are refused.
    pods.delete(namespace);
    void informer.stop();
  };
  for (const namespace of always) follow(namespace);
  const namespaces = superviseInformer<V1Namespace>({
    path: '/api/v1/namespaces',
    name: 'namespace watch',
    labelSelector: OPTED_IN,
    makeWatch: () => new Watch(deps.kc),
    list: async () => {
      const list = await core.listNamespace({ labelSelector: OPTED_IN });
      return { ...list, items: list.items.map(slimNamespace) };
    },
    onAdd: (namespace) => follow(namespace.metadata?.name ?? ''),
    onUpdate: (namespace) => follow(namespace.metadata?.name ?? ''),
    onDelete: (namespace) => unfollow(namespace.metadata?.name ?? ''),
    log: deps.log,
    setTimer: deps.setTimer,
  });
  let synced = false;
  const isSynced = (): boolean => {
    synced ||= namespaces.isSynced() && [...pods.values()].every((informer) => informer.isSynced());
    return synced;
  };
  const inNamespace = (namespace: string) => {
    const informer = pods.get(namespace);
    return informer?.isSynced() ? informer : undefined;
  };
  return {
    isSynced: isSynced,
    getPod: (namespace, name) => inNamespace(namespace)?.get(name, namespace),
    listPods: () => [...pods.values()].filter((i) => i.isSynced()).flatMap((i) => i.list()),
    async stop() {
      stopped = true;
      await Promise.all([namespaces.stop(), ...[...pods.values()].map((informer) => informer.stop())]);
    },
  };
}
