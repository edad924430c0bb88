// The injected `furnace` container. Its command is the image's default; everything else comes from here.
import type {
  V1Container,
  V1EnvVar,
  V1Pod,
  V1ResourceRequirements,
  V1SecurityContext,
} from '@kubernetes/client-node';
import {
  SERVER_CA_KEY,
  SIDECAR_CONTAINER_NAME,
  SIDECAR_ENV,
  SIDECAR_LOCAL_ENV,
  SIDECAR_MOUNT_PATHS,
  SIDECAR_PORT,
  SIDECAR_PORT_NAME,
  SIDECAR_TLS_PORT,
} from '../contract/names.ts';
import type { InjectionConfig, ResourceAmounts } from './injection-config.ts';
import { DEBUGINFOD_URLS_ENV } from './symbols-config.ts';
import { podLevelResourceNames, targetContainers } from './pod-shape.ts';
import type { SidecarVolumes } from './sidecar-volumes.ts';

/** Capabilities that perf (PERFMON, SYS_ADMIN), stack walking across PIDs (SYS_PTRACE) and kallsyms (SYSLOG) need. */
export const SIDECAR_CAPABILITIES = ['PERFMON', 'SYS_PTRACE', 'SYS_ADMIN', 'SYSLOG'] as const;

function fieldEnv(name: string, fieldPath: string): V1EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

function sidecarEnv(pod: V1Pod, config: InjectionConfig): V1EnvVar[] {
  return [
    { name: SIDECAR_ENV.serverUrl, value: config.serverUrl },
    { name: SIDECAR_ENV.serverCa, value: config.serverCa },
    { name: SIDECAR_ENV.serverCaFile, value: `${SIDECAR_MOUNT_PATHS.serverCaDir}/${SERVER_CA_KEY}` },
    fieldEnv(SIDECAR_ENV.podName, 'metadata.name'),
    fieldEnv(SIDECAR_ENV.podNamespace, 'metadata.namespace'),
    fieldEnv(SIDECAR_ENV.podUid, 'metadata.uid'),
    fieldEnv(SIDECAR_ENV.podIp, 'status.podIP'),
    fieldEnv(SIDECAR_ENV.nodeName, 'spec.nodeName'),
    { name: SIDECAR_ENV.targets, value: JSON.stringify(targetContainers(pod)) },
    {
      name: SIDECAR_ENV.tokenPath,
      value: `${SIDECAR_MOUNT_PATHS.tokenDir}/${SIDECAR_MOUNT_PATHS.tokenFile}`,
    },
    // The volumes' size limits, so the sidecar keeps below them (the kubelet evicts the pod past one).
    { name: SIDECAR_ENV.outputSizeLimit, value: config.outputSizeLimit },
    { name: SIDECAR_ENV.storageSizeLimit, value: config.storageSizeLimit },
    // Said outright: a Service named `furnace-sidecar` (or `-tls`) in the pod's namespace would otherwise
    // set these through the kubelet's service links (FURNACE_SIDECAR_PORT=tcp://…), and the sidecar would
    // refuse to start. The container's own env wins over service links.
    { name: SIDECAR_LOCAL_ENV.port, value: String(SIDECAR_PORT) },
    { name: SIDECAR_LOCAL_ENV.tlsPort, value: String(SIDECAR_TLS_PORT) },
    // Only when configured: an empty DEBUGINFOD_URLS and an unset one mean the same, and pods admitted
    // without debuginfod servers keep the spec they had.
    ...(config.debuginfodUrls.length > 0
      ? [{ name: DEBUGINFOD_URLS_ENV, value: config.debuginfodUrls.join(' ') }]
      : []),
  ];
}

function amounts(a: ResourceAmounts, budgetedByPod: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (a.cpu !== '') out.cpu = a.cpu;
  if (a.memory !== '') out.memory = a.memory;
  for (const name of budgetedByPod) delete out[name];
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The configured requests and limits, except for resources the pod budgets at pod level: there the
 * sidecar sets neither and draws on the pod's budget, as any container without its own amounts does.
 * Adding its requests could exceed the pod-level requests (and its limit the pod-level limit), which the
 * API server refuses: a valid pod must never become invalid by being injected.
 */
function sidecarResources(pod: V1Pod, config: InjectionConfig): V1ResourceRequirements {
  const budgetedByPod = podLevelResourceNames(pod);
  const resources: V1ResourceRequirements = {};
  const requests = amounts(config.resources.requests, budgetedByPod);
  const limits = amounts(config.resources.limits, budgetedByPod);
  if (requests) resources.requests = requests;
  if (limits) resources.limits = limits;
  return resources;
}

/**
 * perf needs root in the sidecar whatever the pod says. Pod-level `runAsNonRoot: true` (or a pod-level
 * `runAsUser`) would otherwise apply to the sidecar and the kubelet would refuse to start it, leaving the
 * pod unready. Container-level settings win over pod-level ones, so the sidecar says `runAsUser: 0` and
 * `runAsNonRoot: false` for itself only; the application containers keep the pod's settings. Trade-off: a
 * namespace enforcing the `restricted` (or `baseline`) Pod Security Standard rejects such a pod, which
 * it would reject for `privileged` or the added capabilities anyway (see docs/webhook.md).
 */
function sidecarSecurityContext(config: InjectionConfig): V1SecurityContext {
  const root = { runAsUser: 0, runAsNonRoot: false };
  if (config.securityProfile === 'privileged') return { privileged: true, ...root };
  return { capabilities: { add: [...SIDECAR_CAPABILITIES] }, ...root };
}

export function buildSidecarContainer(
  pod: V1Pod,
  config: InjectionConfig,
  volumes: SidecarVolumes,
): V1Container {
  // No probes: a pod is Ready only when every container is, and a native sidecar's startupProbe holds
  // back the main containers, so a stuck profiler would take the app out of its Service or delay a Job.
  // The server notices a stuck sidecar by its registration lease instead.
  return {
    name: SIDECAR_CONTAINER_NAME,
    image: config.image,
    imagePullPolicy: config.imagePullPolicy,
    ports: [{ name: SIDECAR_PORT_NAME, containerPort: SIDECAR_PORT, protocol: 'TCP' }],
    env: sidecarEnv(pod, config),
    resources: sidecarResources(pod, config),
    securityContext: sidecarSecurityContext(config),
    volumeMounts: volumes.mounts,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}
