// The operator process: one kubeconfig (in-cluster, or KUBECONFIG), one apply layer, and every controller
// in CONTROLLERS run under the supervisor until SIGTERM or SIGINT. The only reader of process.env in the
// operator: controllers get the environment through their OperatorContext.
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { createApplier } from './apply.ts';
import type { ControllerFactory, OperatorContext } from './controller.ts';
import { createFurnaceController } from './furnace/furnace-controller.ts';
import { createKubeRequest } from '../kube/kube-request.ts';
import { createRecordingController } from './recording/recording-controller.ts';
import { startController } from './run-controller.ts';
import { createLeaseClient } from '../kube/leases/lease-client.ts';
import { startLeaderElection } from '../kube/leases/leader-election.ts';
import { OPERATOR_LEADER_LEASE, runWhileLeading } from './leadership.ts';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { readFurnaceSettings } from './furnace/furnace-settings.ts';
import { readOperatorSettings, type OperatorSettings } from './operator-settings.ts';
import { readRecordingSettings } from './recording/recording-settings.ts';

/** Every controller the operator runs. A new one is one line here (see operator/README.md). */
export const CONTROLLERS: readonly ControllerFactory[] = [createFurnaceController, createRecordingController];

/** A bad setting: its one line (the variable, the value, what is allowed), and exit 1. */
function fail(message: string): never {
  process.stderr.write(`furnace-operator: ${message}\n`);
  process.exit(1);
}

function main(): void {
  const env = process.env;
  let settings: OperatorSettings;
  try {
    settings = readOperatorSettings(env);
    // Read now for their errors only: each controller reads its own again when this replica leads.
    readFurnaceSettings(env);
    readRecordingSettings(env, settings.namespace);
  } catch (error) {
    fail((error as Error).message);
  }
  const log = pino({ level: settings.logLevel, base: { component: 'furnace-operator' } });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const request = createKubeRequest(kubeConfig);
  const context: OperatorContext = {
    kubeConfig,
    namespace: settings.namespace,
    applier: createApplier(kubeConfig, request),
    request,
    log,
    env,
    now: () => Date.now(),
  };
  const { workers } = settings;
  const leadership = startLeaderElection({
    leases: createLeaseClient(request, context.namespace),
    name: OPERATOR_LEADER_LEASE,
    identity: `${hostname()}_${randomBytes(4).toString('hex')}`,
    log,
  });
  const stopControllers = runWhileLeading(
    leadership,
    () => {
      const running = CONTROLLERS.map((factory) =>
        startController(factory(context), { kubeConfig, request, log, workers }),
      );
      log.info(
        { controllers: running.map((controller) => controller.name), namespace: context.namespace },
        'leading: controllers started',
      );
      return running;
    },
    log,
  );
  log.info({ namespace: context.namespace, lease: OPERATOR_LEADER_LEASE }, 'operator started');
  const shutdown = (signal: string): void => {
    log.info({ signal }, 'operator stopping');
    stopControllers()
      .then(() => leadership.stop())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error({ err: error }, 'operator did not stop cleanly');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main();
