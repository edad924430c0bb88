// The mounts below the node's directory (container root filesystems, pod volumes, network namespaces): listed
// from /proc/self/mountinfo and unmounted deepest first when the node is torn down.
import { readFile } from 'node:fs/promises';
import { run } from '../processes.ts';

/** Mount points at or below dir (octal escapes in mountinfo decoded). */
export async function mountsBelow(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((point) =>
      point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
    )
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
}

export async function unmountBelow(dir: string): Promise<string[]> {
  for (let pass = 0; pass < 3; pass++) {
    const points = (await mountsBelow(dir)).sort((a, b) => b.length - a.length);
    if (points.length === 0) return [];
    for (const point of points) {
      await run('umount', [point]).catch(() => run('umount', ['-l', point]).catch(() => undefined));
    }
  }
  return mountsBelow(dir);
}
