// What symbolizing a recording again changed, graph by graph: the share of samples with a frame that has
// no name, and the hot path's nameless frames and its end, before → after (naming-change.ts). A list, not
// a table, so a phone's width wraps it instead of scrolling it.
import { useMemo } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { formatShare, namingChanges, type GraphNaming, type NamingChange } from './naming-change.ts';

/** Graphs listed at most; the rest are counted. */
const MAX_LISTED = 20;

function unnamedShare(n: GraphNaming | undefined): string {
  return n === undefined ? '—' : formatShare(n.unnamed, n.samples);
}

function hotPath(n: GraphNaming | undefined): string {
  if (n === undefined || n.hotPath.frames === 0) return '—';
  const { frames, unnamed, leaf } = n.hotPath;
  return `${unnamed} of ${frames} frames unnamed, ends in ${leaf}`;
}

function GraphChange({ change }: { change: NamingChange }) {
  return (
    <li class={change.gained ? 'gained' : undefined}>
      <strong class="graph-name">{change.graph}</strong>
      {change.gained ? ' gained names' : ' unchanged'}
      <br />
      samples with an unnamed frame: {unnamedShare(change.before)} → {unnamedShare(change.after)}
      <br />
      hot path: {hotPath(change.before)} → {hotPath(change.after)}
    </li>
  );
}

export interface NamingReportProps {
  /** The recorder's warning that says it is done and what it used. */
  outcome: string;
  before: FlameNode | undefined;
  /** undefined until the page has loaded the new graph. */
  after: FlameNode | undefined;
  processFrames: boolean;
}

export function NamingReport({ outcome, before, after, processFrames }: NamingReportProps) {
  const changes = useMemo(
    () => (before && after ? namingChanges(before, after, processFrames) : undefined),
    [before, after, processFrames],
  );
  const gained = changes?.filter((c) => c.gained).length ?? 0;
  return (
    <div class="naming-report" role="status" aria-label="Names gained">
      <p class="outcome">{outcome.charAt(0).toUpperCase() + outcome.slice(1)}</p>
      {changes === undefined ? (
        <p class="loading">Loading the new graphs…</p>
      ) : (
        <>
          <p>
            {gained === 0
              ? 'No graph gained names: the symbols there are now name no more frames than before.'
              : `${gained} of ${changes.length} graph${changes.length === 1 ? '' : 's'} gained names:`}
          </p>
          <ul class="naming-changes">
            {changes.slice(0, MAX_LISTED).map((change) => (
              <GraphChange key={change.graph} change={change} />
            ))}
          </ul>
          {changes.length > MAX_LISTED ? <p class="hint">and {changes.length - MAX_LISTED} more</p> : null}
        </>
      )}
    </div>
  );
}
