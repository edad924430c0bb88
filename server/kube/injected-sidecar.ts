// Is the pod's furnace container the one the webhook injects? Pure.
//
// The container is compared as a whole with what the webhook would inject into this pod with the
// server's injection config (the same builders the webhook calls), so a pod's author cannot write a
// `furnace` container of their own (an extra NODE_OPTIONS, a command, a mount over the image's code, a
// lifecycle hook) and register it. Why a comparison rather than a signature the webhook writes: see
// docs/security.md ("Why a comparison").
import type { V1Container, V1EnvVar, V1Pod, V1Volume } from '@kubernetes/client-node';
import { SIDECAR_CONTAINER_NAME, SIDECAR_ENV } from '../../core/contract/names.ts';
import type { InjectionConfig } from '../../core/injection/injection-config.ts';
import { isRecord } from '../../core/injection/is-record.ts';
import { buildSidecarContainer } from '../../core/injection/sidecar-container.ts';
import { buildSidecarVolumes } from '../../core/injection/sidecar-volumes.ts';

/**
 * Fields that decide nothing about which code runs, and that the API server, other admission plugins or
 * autoscalers may set or change after the webhook (defaults, VerticalPodAutoscaler, in-place resize).
 * `restartPolicy` is checked by findInjectedSidecar (a native sidecar's must be `Always`).
 */
const UNCOMPARED_FIELDS: ReadonlySet<string> = new Set([
  'image',
  'env',
  'imagePullPolicy',
  'ports',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'terminationMessagePath',
  'terminationMessagePolicy',
]);

/**
 * Env values taken at admission that change later without any change of the injection settings: the
 * server CA (rotated; the sidecar prefers the kept-current ConfigMap file) and the pod's target list
 * (an app container's image may be updated in place). Data the sidecar reads, never code.
 */
const SNAPSHOT_ENV: ReadonlySet<string> = new Set([SIDECAR_ENV.serverCa, SIDECAR_ENV.targets]);

/**
 * `expected` with every value of `actual` equal, where `actual` may add keys to objects (API-server
 * defaults such as a fieldRef's `apiVersion` or a volume's `defaultMode`). Lists compare item by item,
 * with the same length: nothing may be added to a list the webhook wrote.
 */
export function covers(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, i) => covers(item, actual[i]))
    );
  }
  if (isRecord(expected)) {
    if (!isRecord(actual)) return false;
    return Object.entries(expected).every(
      ([key, value]) => value === undefined || covers(value, actual[key]),
    );
  }
  return expected === actual;
}

function envDifference(expected: V1EnvVar[], actual: V1EnvVar[]): string | undefined {
  for (const [i, want] of expected.entries()) {
    const stored = actual[i];
    if (stored?.name !== want.name) return `env ${stored?.name ?? '(missing)'} where ${want.name} belongs`;
    // The API server stores an empty value as no value.
    const have = stored.valueFrom ? stored : { ...stored, value: stored.value ?? '' };
    const snapshot = SNAPSHOT_ENV.has(want.name) && !have.valueFrom;
    if (!snapshot && !covers(want, have)) return `env ${want.name}`;
  }
  const extra = actual[expected.length];
  return extra ? `env ${extra.name}` : undefined;
}

/**
 * The API server's ServiceAccount admission mounts the pod's API token into every container of a pod
 * that does not opt out (`automountServiceAccountToken`), after the webhook; a mount there holds data.
 */
const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The container without the API token's mount (which the pod watch's cache leaves out too). */
export function withoutServiceAccountMount(container: V1Container): V1Container {
  const mounts = container.volumeMounts?.filter((m) => m.mountPath !== SERVICE_ACCOUNT_MOUNT_PATH);
  return { ...container, volumeMounts: mounts };
}

function fieldDifference(expected: V1Container, actual: V1Container): string | undefined {
  const want = expected as unknown as Record<string, unknown>;
  const have = withoutServiceAccountMount(actual) as unknown as Record<string, unknown>;
  for (const key of Object.keys(have)) {
    if (!UNCOMPARED_FIELDS.has(key) && have[key] !== undefined && want[key] === undefined) return key;
  }
  for (const [key, value] of Object.entries(want)) {
    if (!UNCOMPARED_FIELDS.has(key) && !covers(value, have[key])) return key;
  }
  return undefined;
}

function volumeDifference(expected: V1Volume[], pod: V1Pod): string | undefined {
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  const differs = expected.find((want) => !covers(want, volumes.get(want.name)));
  return differs ? `volume ${differs.name}` : undefined;
}

/**
 * What in the pod's furnace container (and the volumes it mounts) differs from what the webhook would
 * inject into this pod, or undefined when nothing does. The image is any of `sidecarImages` (upgrades).
 */
export function injectedSidecarDifference(
  pod: V1Pod,
  sidecar: V1Container,
  injection: InjectionConfig,
  sidecarImages: readonly string[],
): string | undefined {
  const name = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  const prefix = `pod ${name}'s ${SIDECAR_CONTAINER_NAME} container is not the one the webhook injects`;
  if (!sidecarImages.includes(sidecar.image ?? '')) {
    return `pod ${name} runs ${SIDECAR_CONTAINER_NAME} image ${JSON.stringify(sidecar.image ?? '')}, not the configured ${sidecarImages.join(' or ')}`;
  }
  const volumes = buildSidecarVolumes(pod, injection);
  const expected = buildSidecarContainer(pod, injection, volumes);
  const difference =
    fieldDifference(expected, sidecar) ??
    envDifference(expected.env ?? [], sidecar.env ?? []) ??
    volumeDifference(volumes.volumes, pod);
  return difference === undefined ? undefined : `${prefix} (${difference} differs)`;
}
