// `podman pull` held to the container-storage volume's budget: the kubelet evicts the pod once that
// emptyDir passes its size limit, and podman has no limit of its own, so the volume is measured while it
// pulls.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandResult } from '../host/runtime.ts';

/** The volume podman stores images in, and the most a pull may leave there. */
export interface StorageBudget {
  dir: string;
  budgetBytes: number;
  usage(dir: string): Promise<number>;
  /** How often the volume is measured while podman pulls, ms. */
  intervalMs?: number;
}

/**
 * Runs `pull` while measuring the storage volume; kills it once the volume passes its budget, and
 * refuses an image that left it past the budget anyway (the last growth came between two looks).
 */
export async function pullWithinBudget(
  pull: (signal: AbortSignal) => Promise<CommandResult>,
  storage: StorageBudget,
  remove: () => Promise<unknown>,
): Promise<CommandResult> {
  const limit = `the image storage budget of ${storage.budgetBytes} bytes (FURNACE_STORAGE_SIZE_LIMIT less 10 %)`;
  const before = await storage.usage(storage.dir);
  if (before >= storage.budgetBytes)
    throw new Error(`the image storage holds ${before} bytes, ${limit}: not pulling`);
  const kill = new AbortController();
  let pulling = true;
  const watch = (async () => {
    while (pulling && !kill.signal.aborted) {
      await sleep(storage.intervalMs ?? 250);
      if ((await storage.usage(storage.dir).catch(() => 0)) > storage.budgetBytes) kill.abort();
    }
  })();
  const result = await pull(kill.signal);
  pulling = false;
  await watch;
  const after = await storage.usage(storage.dir);
  if (kill.signal.aborted || after > storage.budgetBytes) {
    await remove();
    throw new Error(`the image does not fit ${limit}: the pull was stopped at ${after} bytes and removed`);
  }
  return result;
}
