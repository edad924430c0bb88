// The operator process's own settings (log level, workers, namespace), read once at start-up. Together with
// each controller's settings (furnace-settings.ts) they are read before leader election, so a bad value
// stops the operator at once with the one-line ConfigError, rather than after it wins the lease (a throw
// there was an unhandled rejection with a stack trace) or, for the workers, never (any number was taken).
import {
  envSetting,
  LOG_LEVELS,
  readChoice,
  readInteger,
  type LogLevel,
} from '../core/config/config-values.ts';

export const OPERATOR_ENV = {
  logLevel: 'FURNACE_OPERATOR_LOG_LEVEL',
  workers: 'FURNACE_OPERATOR_WORKERS',
  namespace: 'FURNACE_OPERATOR_NAMESPACE',
} as const;

/** The namespace of deploy/base and the OLM subscription sample, for an operator run outside a pod. */
export const DEFAULT_OPERATOR_NAMESPACE = 'furnace';
export const DEFAULT_OPERATOR_WORKERS = 2;
/** More reconciles at once per controller than this only queue on the API server's rate limits. */
export const MAX_OPERATOR_WORKERS = 64;

export interface OperatorSettings {
  logLevel: LogLevel;
  /** Reconciles at once per controller (never two of one object). */
  workers: number;
  namespace: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Throws a ConfigError naming the variable, its value and what is allowed. */
export function readOperatorSettings(env: Env): OperatorSettings {
  return {
    logLevel: readChoice(envSetting(env, OPERATOR_ENV.logLevel), 'info', LOG_LEVELS),
    workers: readInteger(
      envSetting(env, OPERATOR_ENV.workers),
      DEFAULT_OPERATOR_WORKERS,
      1,
      MAX_OPERATOR_WORKERS,
    ),
    namespace: env[OPERATOR_ENV.namespace] || DEFAULT_OPERATOR_NAMESPACE,
  };
}
