// One sentence per reason code, for people: `furnace inject` prints them on stderr beside the codes, and
// docs/webhook.md lists the same codes. The codes themselves are what logs and metrics carry.
import type { InjectReason, SkipReason } from './decide-injection.ts';

const REASON_TEXT: Readonly<Record<InjectReason | SkipReason, string>> = {
  'opted-in-label': 'the pod is labelled furnace=enabled',
  'opted-in-annotation': 'the pod is annotated furnace=enabled',
  requested: 'furnace inject injects every pod it is given',
  'opt-out-overridden': 'the pod opted out, and --force overrides that',
  'shares-pod-level-resources':
    'the pod sets pod-level resources: the sidecar draws on that budget instead of adding its own requests and limits',
  'not-a-pod': 'only pods are injected',
  'not-create': 'only pods being created are injected',
  subresource: 'requests for a subresource are never changed',
  'pod-not-opted-in': 'no furnace label or annotation with an opt-in value (enabled, enable, true, yes)',
  'pod-opted-out':
    'the pod is labelled or annotated furnace with an opt-out value (false, no, off, disabled); --force injects it anyway',
  'already-injected-annotation': 'the pod carries furnace.hyperfoil.io/injected already',
  'container-named-furnace': 'a container is already named furnace',
  'windows-pod': 'the pod runs on Windows nodes, where the Linux sidecar cannot run',
  'host-network':
    'the pod uses the host network: the server would never register its sidecar, whose address would be the node',
  'volume-name-taken': 'a volume name of the pod starts with furnace-',
  'port-taken': 'a container of the pod already uses port 12380',
};

export function describeReason(reason: InjectReason | SkipReason): string {
  return REASON_TEXT[reason];
}
