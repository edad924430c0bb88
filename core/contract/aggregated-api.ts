// The aggregated API: the server's user API served again under an API group of its own, so that
// `kubectl furnace` reaches it through the Kubernetes API server with the user's own credentials (the
// API server's service proxy would not forward who the user is). One table of paths, read both ways:
// the server maps an aggregated path onto its user API (fromAggregatedUrl), the CLI's `ui` forwarder
// maps the web UI's paths onto aggregated ones (toAggregatedUrl). Also the discovery document and the
// APIService that registers the group. Pure.
import { UI_PAGE_ROUTES } from './ui-contract.ts';

export const AGGREGATED_GROUP = 'profiling.furnace.hyperfoil.io';
export const AGGREGATED_VERSION = 'v1alpha1';
export const AGGREGATED_GROUP_VERSION = `${AGGREGATED_GROUP}/${AGGREGATED_VERSION}`;
/** Every aggregated path starts with this. */
export const AGGREGATED_PREFIX = `/apis/${AGGREGATED_GROUP_VERSION}`;
/** metadata.name of the APIService. */
export const API_SERVICE_NAME = `${AGGREGATED_VERSION}.${AGGREGATED_GROUP}`;

/** The header names the API server's front proxy sets (its --requestheader-* flags, as kubeadm sets them). */
export const REMOTE_USER_HEADER = 'x-remote-user';
export const REMOTE_GROUP_HEADER = 'x-remote-group';
export const REMOTE_EXTRA_PREFIX = 'x-remote-extra-';

const SEGMENT = '([^/?#]+)';
const REST = '(/[^?#]*)?';

interface PathRule {
  /** Aggregated suffix (after AGGREGATED_PREFIX) → user path; namespace goes into the query when `query` says so. */
  aggregated: RegExp;
  toUser: (m: RegExpExecArray) => { path: string; namespace?: string };
}

/** Aggregated suffix → user path. The first match wins. */
const FROM_AGGREGATED: PathRule[] = [
  { aggregated: /^\/pods\/?$/, toUser: () => ({ path: '/api/v1/sidecars' }) },
  {
    aggregated: new RegExp(`^/namespaces/${SEGMENT}/pods/?$`),
    toUser: (m) => ({ path: '/api/v1/sidecars', namespace: m[1] }),
  },
  {
    aggregated: new RegExp(`^/namespaces/${SEGMENT}/pods/${SEGMENT}/containers/?$`),
    toUser: (m) => ({ path: `/api/v1/pods/${m[1]}/${m[2]}/containers` }),
  },
  {
    // A pod's recordings on its recorder, and the processes a start would record (`GET …/processes`).
    aggregated: new RegExp(`^/namespaces/${SEGMENT}/pods/${SEGMENT}(/recordings(?:/[^?#]*)?|/processes)$`),
    toUser: (m) => ({ path: `/proxy/${m[1]}/${m[2]}${m[3]}` }),
  },
  { aggregated: /^\/recordings\/?$/, toUser: () => ({ path: '/api/v1/recordings' }) },
  {
    aggregated: new RegExp(`^/namespaces/${SEGMENT}/recordings/?$`),
    toUser: (m) => ({ path: '/api/v1/recordings', namespace: m[1] }),
  },
  {
    aggregated: new RegExp(`^/recordings/${SEGMENT}${REST}$`),
    toUser: (m) => ({ path: `/api/v1/recordings/${m[1]}${m[2] ?? ''}` }),
  },
  {
    // The namespace in the path must be the recording's: the server answers 404 otherwise.
    aggregated: new RegExp(`^/namespaces/${SEGMENT}/recordings/${SEGMENT}${REST}$`),
    toUser: (m) => ({ path: `/api/v1/recordings/${m[2]}${m[3] ?? ''}`, namespace: m[1] }),
  },
  {
    aggregated: new RegExp(`^/namespaces/${SEGMENT}/limits/?$`),
    toUser: (m) => ({ path: '/api/v1/limits', namespace: m[1] }),
  },
  {
    // Continuous profiling: a range of windows merged (`kubectl get --raw …/namespaces/<ns>/continuous?from=…`).
    aggregated: new RegExp(`^/namespaces/${SEGMENT}/continuous/?$`),
    toUser: (m) => ({ path: '/api/v1/continuous/stacks', namespace: m[1] }),
  },
  {
    // Its timeline (the web UI's Continuous page through `kubectl furnace ui`).
    aggregated: new RegExp(`^/namespaces/${SEGMENT}/continuous/timeline/?$`),
    toUser: (m) => ({ path: '/api/v1/continuous/timeline', namespace: m[1] }),
  },
  { aggregated: /^\/continuous\/?$/, toUser: () => ({ path: '/api/v1/continuous/namespaces' }) },
  {
    // A namespace's symbol files: POST uploads one, GET lists them (`kubectl furnace symbols`).
    aggregated: new RegExp(`^/namespaces/${SEGMENT}/symbols/?$`),
    toUser: (m) => ({ path: '/api/v1/symbols', namespace: m[1] }),
  },
  {
    // DELETE removes one, by build id.
    aggregated: new RegExp(`^/namespaces/${SEGMENT}/symbols/${SEGMENT}$`),
    toUser: (m) => ({ path: `/api/v1/symbols/${m[2]}`, namespace: m[1] }),
  },
  { aggregated: /^\/session\/?$/, toUser: () => ({ path: '/api/v1/session' }) },
  { aggregated: /^\/ui\/?$/, toUser: () => ({ path: '/' }) },
  { aggregated: new RegExp(`^/ui/${SEGMENT}$`), toUser: (m) => ({ path: `/${m[1]}` }) },
  { aggregated: /^\/speedscope\/?$/, toUser: () => ({ path: '/speedscope/' }) },
  {
    aggregated: new RegExp(`^/speedscope/${SEGMENT}$`),
    toUser: (m) => ({ path: `/speedscope/${m[1]}` }),
  },
];

function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const index = url.indexOf('?');
  return index < 0
    ? { path: url, query: new URLSearchParams() }
    : { path: url.slice(0, index), query: new URLSearchParams(url.slice(index + 1)) };
}

function joinUrl(path: string, query: URLSearchParams): string {
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}

/**
 * The user-API URL (path and query) of an aggregated URL, or undefined when it is not one of ours. A
 * namespace in the aggregated path becomes the `namespace` query parameter, which filters lists and,
 * on a recording, must name the recording's namespace.
 */
export function fromAggregatedUrl(url: string): string | undefined {
  const { path, query } = splitUrl(url);
  if (!path.startsWith(`${AGGREGATED_PREFIX}/`)) return undefined;
  const suffix = path.slice(AGGREGATED_PREFIX.length);
  for (const rule of FROM_AGGREGATED) {
    const match = rule.aggregated.exec(suffix);
    if (!match) continue;
    const mapped = rule.toUser(match);
    if (mapped.namespace !== undefined) query.set('namespace', decodeURIComponent(mapped.namespace));
    return joinUrl(mapped.path, query);
  }
  return undefined;
}

interface UserRule {
  user: RegExp;
  /** The aggregated suffix; a `namespace` query parameter it uses moves from the query into the path. */
  toSuffix: (m: RegExpExecArray, query: URLSearchParams) => string | undefined;
}

/** `/namespaces/<ns><rest>` with the query's namespace (taken out of the query), or `whole` without one. */
function inNamespace(query: URLSearchParams, rest: string, whole: string | undefined): string | undefined {
  const namespace = query.get('namespace');
  if (namespace === null) return whole;
  query.delete('namespace');
  return `/namespaces/${encodeURIComponent(namespace)}${rest}`;
}

/** User path → aggregated suffix. The first match wins; the catch-all last one is a UI file. */
const TO_AGGREGATED: UserRule[] = [
  {
    user: new RegExp(`^/proxy/${SEGMENT}/${SEGMENT}(/recordings(?:/.*)?|/processes)$`),
    toSuffix: (m) => `/namespaces/${m[1]}/pods/${m[2]}${m[3]}`,
  },
  {
    user: new RegExp(`^/api/v1/pods/${SEGMENT}/${SEGMENT}/containers$`),
    toSuffix: (m) => `/namespaces/${m[1]}/pods/${m[2]}/containers`,
  },
  { user: /^\/api\/v1\/sidecars$/, toSuffix: (_m, q) => inNamespace(q, '/pods', '/pods') },
  {
    user: /^\/api\/v1\/recordings$/,
    toSuffix: (_m, q) => inNamespace(q, '/recordings', '/recordings'),
  },
  {
    user: new RegExp(`^/api/v1/recordings/${SEGMENT}${REST}$`),
    toSuffix: (m) => `/recordings/${m[1]}${m[2] ?? ''}`,
  },
  { user: /^\/api\/v1\/limits$/, toSuffix: (_m, q) => inNamespace(q, '/limits', undefined) },
  {
    user: /^\/api\/v1\/continuous\/stacks$/,
    toSuffix: (_m, q) => inNamespace(q, '/continuous', undefined),
  },
  {
    user: /^\/api\/v1\/continuous\/timeline$/,
    toSuffix: (_m, q) => inNamespace(q, '/continuous/timeline', undefined),
  },
  { user: /^\/api\/v1\/continuous\/namespaces$/, toSuffix: () => '/continuous' },
  { user: /^\/api\/v1\/symbols$/, toSuffix: (_m, q) => inNamespace(q, '/symbols', undefined) },
  {
    user: new RegExp(`^/api/v1/symbols/${SEGMENT}$`),
    toSuffix: (m, q) => inNamespace(q, `/symbols/${m[1]}`, undefined),
  },
  { user: /^\/api\/v1\/session$/, toSuffix: () => '/session' },
  { user: /^\/$/, toSuffix: () => '/ui' },
  ...UI_PAGE_ROUTES.map((route) => ({
    user: new RegExp(`^${route.replace(/:[a-z]+/gi, '[^/]+')}/?$`, 'i'),
    toSuffix: () => '/ui',
  })),
  { user: /^\/speedscope\/$/, toSuffix: () => '/speedscope' },
  { user: new RegExp(`^/speedscope/${SEGMENT}$`), toSuffix: (m) => `/speedscope/${m[1]}` },
  { user: new RegExp(`^/${SEGMENT}$`), toSuffix: (m) => `/ui/${m[1]}` },
];

function userToSuffix(path: string, query: URLSearchParams): string | undefined {
  for (const rule of TO_AGGREGATED) {
    const match = rule.user.exec(path);
    if (match) return rule.toSuffix(match, query);
  }
  return undefined;
}

/** The aggregated URL of a user-API or web-UI URL (what the CLI's `ui` forwarder sends), or undefined. */
export function toAggregatedUrl(url: string): string | undefined {
  const { path, query } = splitUrl(url);
  const suffix = userToSuffix(path, query);
  return suffix === undefined ? undefined : joinUrl(`${AGGREGATED_PREFIX}${suffix}`, query);
}

/** No segment of `path` is `.` or `..`, or hides a `/`, a `\\` or a NUL behind percent-encoding. */
function segmentsAreSafe(path: string): boolean {
  for (const raw of path.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return false;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return false;
  }
  return true;
}

/**
 * toAggregatedUrl for a URL that comes from anyone (the CLI's local `ui` forwarder): undefined unless
 * no segment, before or after mapping, can climb out (`..`, `%2e%2e`, `%2f`), and the URL an HTTP client
 * would send still lies under the aggregated prefix exactly as built.
 */
export function safeAggregatedUrl(url: string): string | undefined {
  if (!segmentsAreSafe(splitUrl(url).path)) return undefined;
  const target = toAggregatedUrl(url);
  if (target === undefined) return undefined;
  const { path } = splitUrl(target);
  if (!segmentsAreSafe(path)) return undefined;
  if (path !== AGGREGATED_PREFIX && !path.startsWith(`${AGGREGATED_PREFIX}/`)) return undefined;
  const sent = new URL(target, 'http://forwarder.invalid');
  return sent.pathname === path ? target : undefined;
}

/**
 * Resource names and verbs that the API server authorizes (RBAC) before forwarding, as discovery lists them.
 * The API server authorizes by the path, not by this list: `PUT` and `DELETE` of
 * `/namespaces/<ns>/recordings/<id>/baseline` (pin and unpin a workload's baseline) are verbs `update` and
 * `delete` on `recordings/baseline`, left out here because no verb but get and create may be listed.
 */
export const AGGREGATED_RESOURCES = [
  { name: 'pods', namespaced: true, kind: 'ProfiledPod', verbs: ['get'] },
  { name: 'pods/recordings', namespaced: true, kind: 'RecordingStatus', verbs: ['get', 'create'] },
  { name: 'pods/containers', namespaced: true, kind: 'PodContainers', verbs: ['get'] },
  // The server asks `create` of the caller too: the command lines are shown to those who may record.
  { name: 'pods/processes', namespaced: true, kind: 'ProcessMatches', verbs: ['get'] },
  { name: 'recordings', namespaced: true, kind: 'CatalogRecording', verbs: ['get'] },
  { name: 'recordings/artifacts', namespaced: true, kind: 'Artifact', verbs: ['get'] },
  { name: 'recordings/regression', namespaced: true, kind: 'ProfileComparison', verbs: ['get'] },
  { name: 'limits', namespaced: true, kind: 'Limits', verbs: ['get'] },
  { name: 'continuous', namespaced: true, kind: 'ContinuousStacks', verbs: ['get'] },
  // DELETE of `/namespaces/<ns>/symbols/<build id>` is `delete` on `symbols`, left out as above.
  { name: 'symbols', namespaced: true, kind: 'SymbolFiles', verbs: ['get', 'create'] },
  { name: 'session', namespaced: false, kind: 'Session', verbs: ['get'] },
  { name: 'ui', namespaced: false, kind: 'UiFile', verbs: ['get'] },
  { name: 'speedscope', namespaced: false, kind: 'UiFile', verbs: ['get'] },
] as const;

/**
 * `GET /apis/<group>/<version>`: the aggregator marks the APIService Available when this answers. Only
 * `get` and `create` are listed, never list, watch or delete: the namespace controller and the garbage
 * collector act on resources that list those, and these are no objects of theirs to clean up.
 */
export function aggregatedDiscovery(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: AGGREGATED_GROUP_VERSION,
    resources: AGGREGATED_RESOURCES.map((r) => ({
      name: r.name,
      singularName: '',
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...r.verbs],
    })),
  };
}

export interface ApiServiceOptions {
  /** The Service in front of the server's user listener. */
  serviceNamespace: string;
  serviceName: string;
  /** The Service's port (443 by default). */
  servicePort?: number;
  /** PEM of the CA that signs the user listener's serving certificate. */
  caBundlePem: string;
}

/**
 * The APIService that registers the group. Its priority is below a CRD's (1000), so that `kubectl get
 * recordings` keeps meaning the Recording custom resources.
 */
export function apiServiceManifest(options: ApiServiceOptions): Record<string, unknown> {
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: API_SERVICE_NAME, labels: { 'app.kubernetes.io/name': 'furnace' } },
    spec: {
      group: AGGREGATED_GROUP,
      version: AGGREGATED_VERSION,
      groupPriorityMinimum: 100,
      versionPriority: 10,
      service: {
        namespace: options.serviceNamespace,
        name: options.serviceName,
        port: options.servicePort ?? 443,
      },
      caBundle: Buffer.from(options.caBundlePem, 'utf8').toString('base64'),
    },
  };
}
