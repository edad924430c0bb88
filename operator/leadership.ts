// The operator's leader election: its controllers run only in the process that holds the Lease
// OPERATOR_LEADER_LEASE in the operator's namespace (kube/leases/leader-election.ts), so two operator
// pods (a rollout's old and new one, or a second replica) never reconcile at once.
import type { Leadership } from '../kube/leases/leader-election.ts';
import type { OperatorLog } from './controller.ts';
import type { RunningController } from './run-controller.ts';

/** The Lease in the operator's namespace whose holder runs the controllers. */
export const OPERATOR_LEADER_LEASE = 'furnace-operator-leader';

/**
 * Runs the controllers while this process holds the leader Lease and stops them when it loses it, so
 * two operator pods (a rollout, a second replica) never reconcile at once.
 */
export function runWhileLeading(
  leadership: Leadership,
  start: () => RunningController[],
  log: OperatorLog,
): () => Promise<void> {
  let running: RunningController[] = [];
  let stopping: Promise<unknown> = Promise.resolve();
  leadership.onChange((leading) => {
    if (leading) {
      // A controller of the previous term stops before the next one starts.
      stopping = stopping.then(() => {
        if (leadership.isLeader() && running.length === 0) running = start();
      });
      return;
    }
    const old = running;
    running = [];
    stopping = Promise.all(old.map((controller) => controller.stop()));
    log.info(
      { controllers: old.map((controller) => controller.name) },
      'not the leader: controllers stopped',
    );
  });
  return async () => {
    await stopping;
    await Promise.all(running.map((controller) => controller.stop()));
    running = [];
  };
}
