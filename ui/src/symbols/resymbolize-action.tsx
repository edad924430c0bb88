// "Re-symbolize" on a recording's page: the recording's recorder makes its graphs again from the perf.data
// it kept, with the symbols there are now (the namespace's uploads, debuginfod), through the proxy (POST
// …/recordings/:id/resymbolize). The button is there when the recorder says it can (its status: a finished
// perf recording with perf.data); a refusal shows the API's own words. While it runs the page asks the
// catalog for the warning that says how it ended; then it reloads the recording and says which graphs
// gained names (naming-report.tsx), from the graphs drawn before and after.
import { useEffect, useState } from 'preact/hooks';
import type { CatalogEntry, RecordingStatus } from '../../../core/contract/recording.ts';
import {
  isResymbolizable,
  resymbolizeOutcome,
  type ResymbolizeOutcome,
} from '../../../core/contract/resymbolize.ts';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { apiPath, getJson, postJson } from '../api/client.ts';
import { usePolling } from '../shell/use-polling.ts';
import { NamingReport } from './naming-report.tsx';

/** How often the page asks the catalog while the recorder works, and for how long at most. */
const POLL_MS = 1000;
const WAIT_MS = 10 * 60 * 1000;

type Phase =
  | { kind: 'idle'; error?: string }
  | { kind: 'asking' }
  | { kind: 'running'; since: number; warnings: readonly string[]; tree: FlameNode | undefined }
  | { kind: 'ended'; outcome: ResymbolizeOutcome; tree: FlameNode | undefined };

export interface ResymbolizeProps {
  entry: CatalogEntry;
  /** The graph the page draws now: the "before" of the report. */
  tree: FlameNode | undefined;
  processFrames: boolean;
  /** Loads the recording again (entry and graph) from the catalog. */
  onReload: () => void;
}

/** Whether the recording's recorder (its pod's sidecar or agent) says it can symbolize it again. */
function useResymbolizable(entry: CatalogEntry): boolean {
  const worthAsking = entry.state === 'done' && (entry.profiler ?? 'perf') === 'perf';
  const asked = usePolling(
    (signal) =>
      worthAsking
        ? getJson<RecordingStatus>(
            apiPath`/proxy/${entry.namespace}/${entry.pod}/recordings/${entry.id}`,
            signal,
          ).then(isResymbolizable)
        : Promise.resolve(false),
    0,
    `${entry.namespace}/${entry.pod}/${entry.id}`,
  );
  // A pod that is gone, or a recorder that no longer has the recording, cannot do it: no button.
  return asked.data === true;
}

function useOutcomeWatch(
  entry: CatalogEntry,
  phase: Phase,
  onOutcome: (outcome: ResymbolizeOutcome) => void,
): number {
  const [elapsed, setElapsed] = useState(0);
  useEffect(() => {
    if (phase.kind !== 'running') return undefined;
    const controller = new AbortController();
    let timer: number | undefined;
    const look = (): void => {
      setElapsed(Date.now() - phase.since);
      void getJson<CatalogEntry>(apiPath`/api/v1/recordings/${entry.id}`, controller.signal)
        .then((now) => resymbolizeOutcome(phase.warnings, now.warnings ?? []))
        .catch(() => undefined) // a passing failure: asked again
        .then((outcome) => {
          if (controller.signal.aborted) return;
          if (outcome) onOutcome(outcome);
          else if (Date.now() - phase.since > WAIT_MS)
            onOutcome({
              ok: false,
              message: `${entry.id} was not symbolized again within ${WAIT_MS / 1000} s: its warnings will say how it ends`,
            });
          else timer = window.setTimeout(look, POLL_MS);
        });
    };
    timer = window.setTimeout(look, POLL_MS);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [phase, entry.id]);
  return elapsed;
}

export function ResymbolizeAction({ entry, tree, processFrames, onReload }: ResymbolizeProps) {
  const possible = useResymbolizable(entry);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const elapsed = useOutcomeWatch(entry, phase, (outcome) => {
    if (phase.kind !== 'running') return;
    setPhase({ kind: 'ended', outcome, tree: phase.tree });
    if (outcome.ok) onReload();
  });
  const start = () => {
    const warnings = entry.warnings ?? [];
    setPhase({ kind: 'asking' });
    postJson(apiPath`/proxy/${entry.namespace}/${entry.pod}/recordings/${entry.id}/resymbolize`, {}).then(
      () => setPhase({ kind: 'running', since: Date.now(), warnings, tree }),
      (failure: unknown) =>
        setPhase({ kind: 'idle', error: failure instanceof Error ? failure.message : String(failure) }),
    );
  };
  if (!possible && phase.kind === 'idle') return null;
  const busy = phase.kind === 'asking' || phase.kind === 'running';
  return (
    <section class="resymbolize" aria-label="Symbols">
      <div class="actions">
        <button type="button" disabled={busy} onClick={start}>
          Re-symbolize
        </button>
        {phase.kind === 'idle' && !phase.error ? (
          <span class="hint">
            Make the graphs again from the kept perf.data with the symbols there are now (uploads, debuginfod)
          </span>
        ) : null}
        {busy ? (
          <span class="resymbolize-progress" role="status">
            <progress aria-label="Symbolizing again" />
            Symbolizing again… {Math.round(elapsed / 1000)} s
          </span>
        ) : null}
        {phase.kind === 'idle' && phase.error ? (
          <p class="action-error" role="alert">
            {phase.error}
          </p>
        ) : null}
        {phase.kind === 'ended' && !phase.outcome.ok ? (
          <p class="action-error" role="alert">
            {phase.outcome.message}
          </p>
        ) : null}
      </div>
      {phase.kind === 'ended' && phase.outcome.ok ? (
        <NamingReport
          outcome={phase.outcome.message}
          before={phase.tree}
          after={tree === phase.tree ? undefined : tree}
          processFrames={processFrames}
        />
      ) : null}
    </section>
  );
}
