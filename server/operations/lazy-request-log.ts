// Fastify gives every request a child logger that carries its request id. Made eagerly, that child costs
// pino a serialization of its bindings (through the redaction) per request, although a request that goes
// well writes no line at the server's usual levels (warn and above; Fastify's own request lines are
// info). This factory hands out a stand-in that makes the child on the first line that is written, so
// every line still carries the request id and goes through the same serializers and redaction.
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

type ChildFactory = NonNullable<FastifyServerOptions['childLoggerFactory']>;
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
/** pino's logger, which Fastify makes from the server's `logger` options. */
type PinoLog = FastifyBaseLogger & {
  isLevelEnabled?: (level: string) => boolean;
  bindings?: () => Record<string, unknown>;
};

const isEnabled = (log: PinoLog, level: string): boolean => log.isLevelEnabled?.(level) ?? true;

class LazyRequestLog {
  readonly #parent: PinoLog;
  readonly #bindings: Record<string, unknown>;
  #child: PinoLog | undefined;

  constructor(parent: PinoLog, bindings: Record<string, unknown>) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  #made(): PinoLog {
    this.#child ??= this.#parent.child(this.#bindings);
    return this.#child;
  }

  #write(level: Level, args: unknown[]): void {
    // The child has the parent's level until someone sets its own.
    if (!isEnabled(this.#child ?? this.#parent, level)) return;
    const child = this.#made();
    Reflect.apply(child[level], child, args);
  }

  get level(): string {
    return this.#child?.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#made().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return isEnabled(this.#child ?? this.#parent, level);
  }

  child(...args: Parameters<FastifyBaseLogger['child']>): FastifyBaseLogger {
    return this.#made().child(...args);
  }

  bindings(): Record<string, unknown> {
    return this.#made().bindings?.() ?? {};
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}
}

/** Fastify's `childLoggerFactory`: the child is made when the request first writes a line. */
export const lazyRequestLog: ChildFactory = (logger, bindings, options) =>
  // A route's own level or serializers: made at once, as Fastify would.
  Object.keys(options).length > 0 ? logger.child(bindings, options) : new LazyRequestLog(logger, bindings);
