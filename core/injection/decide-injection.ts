// Whether a pod gets the sidecar, with the reasons. Pure; the webhook, the CLI and the tests share it.
import type { V1Pod } from '@kubernetes/client-node';
import {
  INJECTED_ANNOTATION,
  POD_OPT_IN_KEY,
  SIDECAR_PORT,
  isOptInValue,
  isOptOutValue,
} from '../contract/names.ts';
import { isRecord } from './is-record.ts';
import { runsOnWindows } from './pod-os.ts';
import { allContainers, findSidecarContainer, podLevelResourceNames } from './pod-shape.ts';
import { SIDECAR_VOLUME_PREFIX } from './sidecar-volumes.ts';

export type InjectReason =
  | 'opted-in-label'
  | 'opted-in-annotation'
  | 'requested'
  | 'opt-out-overridden'
  | 'shares-pod-level-resources';
export type SkipReason =
  | 'not-a-pod'
  | 'not-create'
  | 'subresource'
  | 'pod-not-opted-in'
  | 'pod-opted-out'
  | 'already-injected-annotation'
  | 'container-named-furnace'
  | 'windows-pod'
  | 'host-network'
  | 'volume-name-taken'
  | 'port-taken';

export type InjectionDecision =
  { inject: true; reasons: InjectReason[] } | { inject: false; reasons: SkipReason[] };

export interface DecideOptions {
  /**
   * The webhook only injects pods that opted in (label or annotation `furnace`). The offline CLI injects
   * every pod it is given (the user asked for it) and passes false.
   */
  requireOptIn?: boolean;
  /**
   * Inject a pod that opted out explicitly (`furnace: "false"`): the CLI's `--force`. Never the webhook.
   * Nothing else is overridden: the other skips protect the pod from becoming invalid or injected twice.
   */
  overrideOptOut?: boolean;
}

/** The parts of an AdmissionReview request that the decision looks at. */
export interface AdmissionFacts {
  kind?: { group?: string; version?: string; kind?: string };
  subResource?: string;
  operation?: string;
  object?: unknown;
}

function optInReasons(pod: V1Pod): InjectReason[] {
  const reasons: InjectReason[] = [];
  if (isOptInValue(pod.metadata?.labels?.[POD_OPT_IN_KEY])) reasons.push('opted-in-label');
  if (isOptInValue(pod.metadata?.annotations?.[POD_OPT_IN_KEY])) reasons.push('opted-in-annotation');
  return reasons;
}

function optedOut(pod: V1Pod): boolean {
  const metadata = pod.metadata;
  return (
    isOptOutValue(metadata?.labels?.[POD_OPT_IN_KEY]) ||
    isOptOutValue(metadata?.annotations?.[POD_OPT_IN_KEY])
  );
}

/** Reasons that rule out injecting this pod, whatever it opted into. */
function conflicts(pod: V1Pod): SkipReason[] {
  const reasons: SkipReason[] = [];
  if (pod.metadata?.annotations?.[INJECTED_ANNOTATION] !== undefined)
    reasons.push('already-injected-annotation');
  if (findSidecarContainer(pod)) reasons.push('container-named-furnace');
  // An injected pod has our volumes and port: those are not clashes worth reporting.
  if (reasons.length > 0) return reasons;
  if (runsOnWindows(pod)) reasons.push('windows-pod');
  // The server never registers a host-network pod's sidecar (its address would be the node's): the
  // privileged container would sit there unused.
  if (pod.spec?.hostNetwork === true) reasons.push('host-network');
  // Our volumes would collide with the pod's own and make it invalid.
  if ((pod.spec?.volumes ?? []).some((v) => v.name.startsWith(SIDECAR_VOLUME_PREFIX))) {
    reasons.push('volume-name-taken');
  }
  // Containers share the network namespace: a second listener on the sidecar port could not bind.
  const ports = allContainers(pod).flatMap((c) => c.ports ?? []);
  if (ports.some((p) => p.containerPort === SIDECAR_PORT)) reasons.push('port-taken');
  return reasons;
}

/** Why this pod is injected: how it asked (or that the CLI was asked), and what shaped the sidecar. */
function injectReasons(pod: V1Pod, requireOptIn: boolean, optIn: InjectReason[]): InjectReason[] {
  const reasons: InjectReason[] = requireOptIn ? [...optIn] : ['requested'];
  if (optedOut(pod)) reasons.push('opt-out-overridden');
  if (podLevelResourceNames(pod).length > 0) reasons.push('shares-pod-level-resources');
  return reasons;
}

/** Decides for a pod (or a pod template wrapped as a pod). */
export function decideInjection(pod: V1Pod, options: DecideOptions = {}): InjectionDecision {
  const requireOptIn = options.requireOptIn ?? true;
  const skip = conflicts(pod);
  const optIn = optInReasons(pod);
  // An explicit opt-out wins over an opt-in on the other key (a label set by a template, say).
  if (optedOut(pod) && options.overrideOptOut !== true) skip.unshift('pod-opted-out');
  else if (requireOptIn && optIn.length === 0) skip.unshift('pod-not-opted-in');
  if (skip.length > 0) return { inject: false, reasons: skip };
  return { inject: true, reasons: injectReasons(pod, requireOptIn, optIn) };
}

/** Decides for an admission request: only pod CREATE requests can lead to an injection. */
export function decideAdmission(request: AdmissionFacts): InjectionDecision {
  const kind = request.kind;
  if (kind?.kind !== 'Pod' || (kind.group ?? '') !== '') return { inject: false, reasons: ['not-a-pod'] };
  if (request.operation !== 'CREATE') return { inject: false, reasons: ['not-create'] };
  if (request.subResource !== undefined && request.subResource !== '') {
    return { inject: false, reasons: ['subresource'] };
  }
  if (!isRecord(request.object)) return { inject: false, reasons: ['not-a-pod'] };
  return decideInjection(request.object);
}
