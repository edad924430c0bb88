// The real node for a node-tier test file: the run's (test/run.sh starts one and exports FURNACE_TEST_NODE,
// the path of its node.json), or a private one for this file's process, torn down when the file's tests end.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { refuseBeforeCluster } from '../before-cluster.ts';
import { execFileSync } from '../child-processes.ts';
import { run } from '../processes.ts';
import type { NodeState } from './node-layout.ts';
import { holdsImage, importImage } from './scratch-image.ts';
import { kubectlAt } from './node-kubectl.ts';
import { startNode, type NodeBinaries } from './start-node.ts';
import { stopNode } from './stop-node.ts';

export interface TestNode extends NodeState {
  kubeConfig(): KubeConfig;
  kubectl(args: string[], input?: string): Promise<string>;
  /** Moves an image archive (`podman save`) into the node's containerd. */
  importImage(archive: string): Promise<void>;
  /** Whether the node's containerd holds `ref` as the image whose id (its config's digest) is `id`. */
  holdsImage(ref: string, id: string): Promise<boolean>;
  /** The host PID of a running container's first process (from containerd's task list). */
  containerPid(containerId: string): Promise<number>;
}

function buildOutput(script: string): string {
  const out = execFileSync('bash', [join(import.meta.dirname, '..', script)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').at(-1) ?? '';
}

/** The binaries the run built (test/run.sh exports their directories), or built (cached) now. */
export function nodeBinaries(): NodeBinaries {
  refuseBeforeCluster('the real node');
  return {
    binDir: process.env.FURNACE_TEST_BIN_DIR ?? buildOutput('build-control-plane.sh'),
    corednsBinDir: process.env.FURNACE_TEST_COREDNS_BIN_DIR ?? buildOutput('build-coredns.sh'),
  };
}

/** Starts a private node for this process (no FURNACE_TEST_NODE), torn down after the file's tests. */
async function privateNode(): Promise<NodeState> {
  const dir = await mkdtemp(join(tmpdir(), 'furnace-node-'));
  const state = await startNode(dir, nodeBinaries());
  after(async () => {
    const left = await stopNode(dir);
    if (left.length > 0) throw new Error(`node teardown left: ${left.join(', ')}`);
  });
  return state;
}

export async function useNode(): Promise<TestNode> {
  const statePath = process.env.FURNACE_TEST_NODE;
  const state = statePath
    ? (JSON.parse(await readFile(statePath, 'utf8')) as NodeState)
    : await privateNode();
  return {
    ...state,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromFile(state.kubeconfigPath);
      return kc;
    },
    kubectl: (args, input) => kubectlAt(state.binDir, state.kubeconfigPath, args, input),
    importImage: (archive) => importImage(state.containerdSocket, archive),
    holdsImage: (ref, id) => holdsImage(state.containerdSocket, ref, id),
    async containerPid(containerId) {
      const { stdout } = await run('ctr', [
        '--address',
        state.containerdSocket,
        '-n',
        'k8s.io',
        'tasks',
        'ls',
      ]);
      const line = stdout.split('\n').find((l) => l.startsWith(containerId));
      const pid = Number(line?.split(/\s+/)[1]);
      if (!pid) throw new Error(`container ${containerId} has no running task on node ${state.nodeName}`);
      return pid;
    },
  };
}
