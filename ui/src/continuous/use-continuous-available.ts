// Whether this server has continuous profiling: it has only with agent mode (`agent.enabled`), and never
// in local mode, which has no node agent. Asked once per page load: the namespaces route is there only
// when continuous profiling is, so a 404 means off. Undefined until the answer; any other failure counts
// as on, and the page itself says what went wrong.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';
import { loadNamespaces } from './load-continuous.ts';

let asked: Promise<boolean> | undefined;

function askServer(): Promise<boolean> {
  asked ??= loadNamespaces(new AbortController().signal).then(
    () => true,
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return false;
      // Asked again next time: a passing failure (401 before sign-in, the server restarting) says nothing.
      asked = undefined;
      return true;
    },
  );
  return asked;
}

/** True or false once the server has answered; undefined before. */
export function useContinuousAvailable(ask = true): boolean | undefined {
  const [available, setAvailable] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    if (!ask) return;
    let live = true;
    void askServer().then((on) => {
      if (live) setAvailable(on);
    });
    return () => {
      live = false;
    };
  }, [ask]);
  return available;
}

/** What turns continuous profiling on, for where a user meets its absence. */
export const CONTINUOUS_OFF =
  'Continuous profiling is off on this server: it needs agent mode (agent.enabled in the Furnace resource or the server configuration; docs/continuous.md), whose node agents collect the data. Local mode (npm start) has no node agent, so it has no continuous profiling; record a process from Record instead.';
