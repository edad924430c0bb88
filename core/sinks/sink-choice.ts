// Which sinks a recording goes to, and whether a start request may name the sinks it names. One rule for
// both: a sink takes a recording of a namespace it serves, and a `named` sink only when the recording
// names it. What a recording names comes from its parameters, which a sidecar reports; so the namespace
// rule is applied again at push time, and a sidecar that lies can only pick among sinks its namespace
// already reaches. Pure.
import { FurnaceError } from '../contract/errors.ts';
import type { SinkConfig } from './sink.ts';

export type SinkRule = Pick<SinkConfig, 'name' | 'namespaces' | 'recordings'>;

function serves(sink: SinkRule, namespace: string): boolean {
  return sink.namespaces === undefined || sink.namespaces.includes(namespace);
}

/** The sinks a finished recording of `namespace` that names `named` is pushed to, in configuration order. */
export function sinksFor<T extends SinkRule>(
  sinks: readonly T[],
  namespace: string,
  named: readonly string[] = [],
): T[] {
  return sinks.filter(
    (sink) => serves(sink, namespace) && (sink.recordings === 'all' || named.includes(sink.name)),
  );
}

/** Refuses a start that names a sink this server does not have, or one that does not serve its namespace. */
export function checkNamedSinks(
  sinks: readonly SinkRule[],
  namespace: string,
  named: readonly string[],
): void {
  for (const [index, name] of named.entries()) {
    const sink = sinks.find((s) => s.name === name);
    const field = `sinks[${index}]`;
    if (sink === undefined) {
      const known = sinks.map((s) => s.name);
      throw new FurnaceError(
        'ERR_INVALID_PARAMETER',
        `${field} ${JSON.stringify(name)} is not a sink of this server (${known.length > 0 ? `its sinks: ${known.join(', ')}` : 'it has none'})`,
        { field, value: name, allowed: known.join(', ') },
      );
    }
    if (!serves(sink, namespace))
      throw new FurnaceError(
        'ERR_INVALID_PARAMETER',
        `${field} ${JSON.stringify(name)} does not take recordings of namespace ${namespace}`,
        { field, value: name },
      );
  }
}
