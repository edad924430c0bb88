// Before Start: which processes the form's pattern (or PID, or container) matches now, with each one's
// CPU share, as the recorder would choose them (GET /proxy/:ns/:pod/processes). Asked again a moment
// after the user stops typing and every few seconds, so the list stays what Start would record.
import { useEffect, useState } from 'preact/hooks';
import type { ProcessMatches as Matches } from '../../../core/contract/processes.ts';
import { ApiError, getJson } from '../api/client.ts';
import { inFormWords } from './field-texts.ts';
import type { Target } from './pod-picker.tsx';
import type { FormValues } from './start-request.ts';

const SETTLE_MS = 400;
const REFRESH_MS = 5000;

/** The query of GET /processes for the form's values; undefined when local mode has nothing to match yet. */
export function processQuery(values: FormValues, target: Target, local: boolean): string | undefined {
  const query = new URLSearchParams();
  const pattern = values.processPattern.trim();
  const pid = values.pid.trim();
  if (pattern !== '') query.set('processPattern', pattern);
  if (/^[1-9]\d{0,6}$/.test(pid)) query.set('pid', pid);
  if (target.container !== '') query.set('container', target.container);
  if (local && pattern === '' && !query.has('pid')) return undefined;
  const path = `/proxy/${encodeURIComponent(target.namespace)}/${encodeURIComponent(target.pod)}/processes`;
  return `${path}?${query.toString()}`;
}

function useMatches(path: string | undefined): { matches?: Matches; problem?: string } {
  const [found, setFound] = useState<{ matches?: Matches; problem?: string }>({});
  useEffect(() => {
    if (path === undefined) {
      setFound({});
      return;
    }
    const controller = new AbortController();
    let timer = 0;
    const ask = (): void => {
      getJson<Matches>(path, controller.signal)
        .then(
          (matches) => setFound({ matches }),
          (error: unknown) => {
            if (controller.signal.aborted) return;
            const message = error instanceof ApiError ? error.message : String(error);
            setFound({ problem: inFormWords(message) });
          },
        )
        .finally(() => {
          if (!controller.signal.aborted) timer = window.setTimeout(ask, REFRESH_MS);
        });
    };
    timer = window.setTimeout(ask, SETTLE_MS);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [path]);
  return found;
}

function MatchRows({ matches }: { matches: Matches }) {
  return (
    <table class="process-matches">
      <caption>Processes it matches now</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">PID</th>
          <th scope="col">CPU %</th>
          <th scope="col">Command line</th>
        </tr>
      </thead>
      <tbody>
        {matches.processes.map((p) => (
          <tr key={p.pid}>
            <th scope="row">{p.container ? `${p.comm} (${p.container})` : p.comm}</th>
            <td>{p.pid}</td>
            <td>{p.cpuPercent.toFixed(1)}</td>
            <td class="cmdline" title={p.cmdline}>
              {p.cmdline}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ProcessMatches({ path }: { path: string | undefined }) {
  const { matches, problem } = useMatches(path);
  const more = matches ? matches.total - matches.processes.length : 0;
  return (
    <section class="process-preview" aria-label="Processes to record" aria-live="polite">
      {path === undefined ? (
        <p class="hint">Type a process pattern or a PID to see which processes it matches.</p>
      ) : problem !== undefined ? (
        <p class="hint">{problem}</p>
      ) : matches === undefined ? (
        <p class="hint">Looking for matching processes…</p>
      ) : matches.total === 0 ? (
        <p class="notice">{inFormWords(matches.reason ?? 'No process matches.')}</p>
      ) : (
        <MatchRows matches={matches} />
      )}
      {more > 0 ? <p class="hint">and {more} more (the busiest are listed)</p> : null}
    </section>
  );
}
