// Agent mode (Furnace.spec.agent.enabled): the node agents' ServiceAccount (no RBAC: the agent never calls
// the Kubernetes API, its token only proves who it is to the server), their DaemonSet, and the
// NetworkPolicy that lets only the server reach their port. docs/agent.md lists what this must be.
import type {
  KubernetesObject,
  V1Container,
  V1DaemonSet,
  V1EnvVar,
  V1ServiceAccount,
  V1Volume,
} from '@kubernetes/client-node';
import {
  AGENT_ENV,
  AGENT_PORT,
  SIDECAR_ENV,
  SIDECAR_MOUNT_PATHS,
  TOKEN_AUDIENCE,
} from '../../core/contract/names.ts';
import { bundleCommand } from '../../core/contract/bundle-layout.ts';
import { DEBUGINFOD_URLS_ENV } from '../../core/injection/symbols-config.ts';
import { recorderUrl } from './furnace-names.ts';
import { ingressPolicy, labelsOf, object, ownedMeta, selectorOf, type PlanContext } from './plan-input.ts';

/** Where the agent keeps recordings (sidecar/agent/agent-config.ts AGENT_DATA_DIR), and the emptyDir's size. */
export const AGENT_PATHS = { dataDir: '/var/lib/furnace-agent', tmpDir: '/tmp' } as const;
export const AGENT_OUTPUT_SIZE_LIMIT = '4Gi';
export const AGENT_PORT_NAME = 'furnace-agent';
/**
 * What perf needs on other pods' processes, and BPF for the off-CPU and wall recorder's maps and program
 * (bpftrace; with PERFMON it may load tracing programs), and nothing more (docs/agent.md, "Least privilege").
 */
export const AGENT_CAPABILITIES = ['PERFMON', 'BPF', 'SYS_PTRACE', 'SYSLOG', 'DAC_READ_SEARCH'] as const;
/**
 * The node's tracefs, read-only, where bpftrace reads the format and ID of the scheduler tracepoint: a
 * container's /sys has none, and mounting it would need CAP_SYS_ADMIN.
 */
export const AGENT_TRACEFS = '/sys/kernel/tracing';

function agentEnv(context: PlanContext): V1EnvVar[] {
  const fieldRef = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
  const { bundlePem } = context.certificates;
  const debuginfodUrls = context.furnace.spec?.symbols?.debuginfodUrls ?? [];
  return [
    { name: SIDECAR_ENV.serverUrl, value: recorderUrl(context.names) },
    // As in the injection config: the CA bundle itself; a rotation changes the pod template, so it rolls.
    ...(bundlePem === '' ? [] : [{ name: SIDECAR_ENV.serverCa, value: bundlePem }]),
    {
      name: SIDECAR_ENV.tokenPath,
      value: `${SIDECAR_MOUNT_PATHS.tokenDir}/${SIDECAR_MOUNT_PATHS.tokenFile}`,
    },
    { name: SIDECAR_ENV.nodeName, ...fieldRef('spec.nodeName') },
    { name: SIDECAR_ENV.podIp, ...fieldRef('status.podIP') },
    { name: SIDECAR_ENV.outputSizeLimit, value: AGENT_OUTPUT_SIZE_LIMIT },
    { name: AGENT_ENV.port, value: String(AGENT_PORT) },
    // The same servers as the injected sidecars' (injection.yaml `debuginfodUrls`); a change rolls the agents.
    ...(debuginfodUrls.length > 0 ? [{ name: DEBUGINFOD_URLS_ENV, value: debuginfodUrls.join(' ') }] : []),
  ];
}

function planDaemonSet(context: PlanContext): V1DaemonSet {
  const { names } = context;
  const agent = context.furnace.spec?.agent ?? {};
  return object<V1DaemonSet>('apps/v1', 'DaemonSet', {
    metadata: ownedMeta(context, names.agent, 'agent'),
    spec: {
      selector: { matchLabels: selectorOf(context, 'agent') },
      template: {
        metadata: { labels: labelsOf(context, 'agent') },
        spec: {
          serviceAccountName: names.agent,
          automountServiceAccountToken: false,
          // No Service variables (FURNACE_PORT and friends of the Service `furnace`) among the agent's own.
          enableServiceLinks: false,
          // The other pods' processes, for perf; no host network or IPC, of the host's files tracefs only.
          hostPID: true,
          ...(agent.nodeSelector ? { nodeSelector: { ...agent.nodeSelector } } : {}),
          ...(agent.tolerations ? { tolerations: agent.tolerations.map((t) => ({ ...t })) } : {}),
          containers: [agentContainer(context)],
          volumes: agentVolumes(),
        },
      },
    },
  });
}

function agentContainer(context: PlanContext): V1Container {
  return {
    name: 'agent',
    image: context.images.agent,
    command: bundleCommand('agent'),
    env: agentEnv(context),
    ports: [{ name: AGENT_PORT_NAME, containerPort: AGENT_PORT, protocol: 'TCP' }],
    resources: { requests: { cpu: '20m', memory: '96Mi' }, limits: { memory: '512Mi' } },
    securityContext: {
      runAsUser: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: [...AGENT_CAPABILITIES] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [
      { name: 'token', mountPath: SIDECAR_MOUNT_PATHS.tokenDir, readOnly: true },
      { name: 'data', mountPath: AGENT_PATHS.dataDir },
      { name: 'tmp', mountPath: AGENT_PATHS.tmpDir },
      { name: 'tracefs', mountPath: AGENT_TRACEFS, readOnly: true },
    ],
  };
}

/** The projected token (audience furnace), the two scratch directories and the node's tracefs. */
function agentVolumes(): V1Volume[] {
  return [
    {
      name: 'token',
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: TOKEN_AUDIENCE,
              expirationSeconds: 3600,
              path: SIDECAR_MOUNT_PATHS.tokenFile,
            },
          },
        ],
      },
    },
    { name: 'data', emptyDir: { sizeLimit: AGENT_OUTPUT_SIZE_LIMIT } },
    { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
    { name: 'tracefs', hostPath: { path: AGENT_TRACEFS, type: 'Directory' } },
  ];
}

/** Only the server's pods reach the agents' port; nothing else reaches the agent pods at all. */
function planAgentNetworkPolicy(context: PlanContext): KubernetesObject {
  return ingressPolicy(context, context.names.agent, 'agent', [
    {
      ports: [{ protocol: 'TCP', port: AGENT_PORT }],
      from: [{ podSelector: { matchLabels: selectorOf(context, 'server') } }],
    },
  ]);
}

/** Nothing unless spec.agent.enabled; pruning removes what an earlier enabled plan made. */
export function planAgent(context: PlanContext): KubernetesObject[] {
  if (!context.furnace.spec?.agent?.enabled) return [];
  const account = object<V1ServiceAccount>('v1', 'ServiceAccount', {
    metadata: ownedMeta(context, context.names.agent, 'agent'),
  });
  return [account, planDaemonSet(context), planAgentNetworkPolicy(context)];
}
