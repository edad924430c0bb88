// The project's CRDs (deploy/crds/) on the test API server. Applied, never deleted: every kube test file
// of a run shares the cluster, and applying the same YAML again changes nothing.
import { join } from 'node:path';
import { FURNACE_CRD_NAME, RECORDING_CRD_NAME } from '../../core/crd/resources.ts';
import { RECORDING_ENTRY_CRD_NAME } from '../../core/crd/recording-entry-crd.ts';
import type { ControlPlane } from './control-plane.ts';
import { PROJECT_ROOT } from './project-root.ts';

export async function installCrds(cp: ControlPlane): Promise<void> {
  const applied = await cp.kubectl(['apply', '-k', join(PROJECT_ROOT, 'deploy/crds')]);
  if (applied.code !== 0) throw new Error(`could not apply deploy/crds: ${applied.stderr}`);
  const established = await cp.kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    `crd/${FURNACE_CRD_NAME}`,
    `crd/${RECORDING_CRD_NAME}`,
    `crd/${RECORDING_ENTRY_CRD_NAME}`,
  ]);
  if (established.code !== 0) throw new Error(`the CRDs are not established: ${established.stderr}`);
}
