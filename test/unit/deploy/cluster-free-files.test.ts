// test/run.sh runs the files that need no cluster before Kubernetes has joined: the walk that picks them.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { reachesCluster, relativeImports } from '../../harness/cluster-free-files.ts';

const ROOT = '/repo';

function tree(files: Record<string, string>): (path: string) => string | undefined {
  return (path) => files[path];
}

describe('which test files need no cluster', () => {
  it('reads static, type-only and dynamic relative imports, and leaves packages out', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "import './side-effect.ts';",
      "const c = await import('./c.ts');",
      "import { KubeConfig } from '@kubernetes/client-node';",
      "import { join } from 'node:path';",
    ].join('\n');
    assert.deepEqual(relativeImports(source), ['./a.ts', '../b.ts', './side-effect.ts', './c.ts']);
  });

  it('finds the control plane or the node harness at any depth, through a cycle too', () => {
    const read = tree({
      '/repo/test/kube/x.test.ts': "import { h } from '../harness/cluster.ts';",
      '/repo/test/harness/cluster.ts': "import { p } from './control-plane.ts';\nimport './cycle.ts';",
      '/repo/test/harness/cycle.ts': "import './cluster.ts';",
      '/repo/test/harness/control-plane.ts': '',
      '/repo/test/node/y.test.ts': "import { n } from '../harness/node/use-node.ts';",
      '/repo/test/process/z.test.ts': "import { p } from '../harness/processes.ts';\nimport './z-cycle.ts';",
      '/repo/test/process/z-cycle.ts': "import './z.test.ts';",
      '/repo/test/harness/processes.ts': "import { spawn } from 'node:child_process';",
    });
    assert.equal(reachesCluster('/repo/test/kube/x.test.ts', ROOT, read), true);
    assert.equal(reachesCluster('/repo/test/node/y.test.ts', ROOT, read), true);
    assert.equal(reachesCluster('/repo/test/process/z.test.ts', ROOT, read), false);
  });

  it('on this repository: the node tier’s files need the cluster, a process-tier pod test does not', () => {
    const root = resolve(import.meta.dirname, '../../..');
    assert.equal(reachesCluster(`${root}/test/node/node-pods.test.ts`, root), true);
    assert.equal(reachesCluster(`${root}/test/process/sidecar-pod.test.ts`, root), false);
  });
});
