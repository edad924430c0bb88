// The control plane's kubectl against a node's cluster (its admin kubeconfig); rejects with kubectl's stderr.
import { join } from 'node:path';
import { execFile } from '../child-processes.ts';

export async function kubectlAt(
  binDir: string,
  kubeconfig: string,
  args: string[],
  input?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      join(binDir, 'kubectl'),
      [`--kubeconfig=${kubeconfig}`, ...args],
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || error.message}`))
          : resolve(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
