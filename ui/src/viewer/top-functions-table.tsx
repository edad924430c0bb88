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

/** Computed after the next paint, so a large graph shows before its table is ready. */
function useDeferred(compute: () => FunctionRow[], key: unknown): FunctionRow[] | undefined {
  const [value, setValue] = useState<{ key: unknown; rows: FunctionRow[] } | undefined>(undefined);
  useEffect(() => {
    let timer: number | undefined;
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(() => setValue({ key, rows: compute() }), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      window.clearTimeout(timer);
    };
  }, [key]);
  return value !== undefined && value.key === key ? value.rows : undefined;
}

export function TopFunctionsTable(props: TopFunctionsProps) {
  const { root, hidden, pattern, sort, onSort, onPick } = props;
  const rows = useDeferred(() => topFunctions(root), root);
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
    <div class="top-functions">
      {rows ? null : <p class="loading">Counting samples per function…</p>}
      <table>
        <caption>{captionOf(props.zoomedTo, pattern)}</caption>
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
                {row.self} <small>{percent(row.self, root.value)}</small>
              </td>
              <td>
                {row.total} <small>{percent(row.total, root.value)}</small>
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
