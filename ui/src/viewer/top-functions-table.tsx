// The top-functions table beside the graph: self and total samples per function, sortable; a name
// opens the sandwich view of that function.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import type { SortKey } from '../routing/url-state.ts';
import { middleEllipsis } from './middle-ellipsis.ts';
import { listedFunctions, sortFunctions, topFunctions, type FunctionRow } from './top-functions.ts';

const PAGE = 100;
/** Longest name shown whole in the table; longer ones are cut in the middle (the title has it all). */
const NAME_CHARS = 48;

/** "Top functions", and what narrows them: the zoomed frame, the search. */
function captionOf(zoomedTo: string | undefined, pattern: RegExp | undefined): string {
  const zoomed = zoomedTo === undefined ? '' : ` in ${middleEllipsis(zoomedTo, 40)}`;
  return `Top functions${zoomed}${pattern ? ` matching /${pattern.source}/` : ''}`;
}

export interface TopFunctionsProps {
  /** The zoomed frame (the root when not zoomed): only its samples are counted. */
  root: FlameNode;
  /** Names that are not functions (the process frames, `[unknown]`): left out. */
  hidden: ReadonlySet<string>;
  /** The search: only matching functions are listed, highlighted as in the graph. */
  pattern: RegExp | undefined;
  /** The zoomed frame's name; undefined when not zoomed. */
  zoomedTo: string | undefined;
  sort: SortKey;
  onSort: (sort: SortKey) => void;
  onPick: (name: string) => void;
}

function percent(value: number, total: number): string {
  return total > 0 ? `${((value / total) * 100).toFixed(1)}%` : '0%';
}

/** The rows of one zoomed frame (the root when not zoomed), and what the caption says of it. */
interface Counted {
  root: FlameNode;
  zoomedTo: string | undefined;
  rows: FunctionRow[];
}

/**
 * Counted after the next paint, so a large graph or a zoom shows before its table is ready; until then
 * the rows counted last stay, with their own caption (stale: true), so the zoom's frame changes nothing
 * in the table and the caption never names a frame whose rows are not shown.
 */
function useCountedAfterPaint(
  root: FlameNode,
  zoomedTo: string | undefined,
): { counted: Counted | undefined; stale: boolean } {
  const [counted, setCounted] = useState<Counted | undefined>(undefined);
  useEffect(() => {
    let timer: number | undefined;
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(
        () => setCounted({ root, zoomedTo, rows: topFunctions(root, zoomedTo !== undefined) }),
        0,
      );
    });
    return () => {
      cancelAnimationFrame(frame);
      window.clearTimeout(timer);
    };
  }, [root]);
  return { counted, stale: counted?.root !== root };
}

export function TopFunctionsTable(props: TopFunctionsProps) {
  const { hidden, pattern, sort, onSort, onPick } = props;
  const { counted, stale } = useCountedAfterPaint(props.root, props.zoomedTo);
  const rows = counted?.rows;
  const total = counted?.root.value ?? 0;
  const sorted = useMemo(
    () => (rows ? sortFunctions(listedFunctions(rows, hidden, pattern), sort) : []),
    [rows, sort, hidden, pattern],
  );
  const [shown, setShown] = useState(PAGE);
  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort === key ? (key === 'name' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" class="sort" onClick={() => onSort(key)}>
        {label}
        {sort === key ? (key === 'name' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  return (
    <div class="top-functions" aria-busy={stale}>
      {rows ? null : <p class="loading">Counting samples per function…</p>}
      <table>
        <caption>{captionOf(counted ? counted.zoomedTo : props.zoomedTo, pattern)}</caption>
        <thead>
          <tr>
            {header('name', 'Function')}
            {header('self', 'Self')}
            {header('total', 'Total')}
          </tr>
        </thead>
        <tbody>
          {sorted.slice(0, shown).map((row) => (
            <tr key={row.name} class={pattern ? 'match' : undefined}>
              <th scope="row">
                <button type="button" class="function" title={row.name} onClick={() => onPick(row.name)}>
                  {middleEllipsis(row.name, NAME_CHARS)}
                </button>
              </th>
              <td>
                {row.self} <small>{percent(row.self, total)}</small>
              </td>
              <td>
                {row.total} <small>{percent(row.total, total)}</small>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sorted.length > shown ? (
        <button type="button" onClick={() => setShown((n) => n + PAGE * 5)}>
          Show more ({sorted.length - shown} left)
        </button>
      ) : null}
    </div>
  );
}
