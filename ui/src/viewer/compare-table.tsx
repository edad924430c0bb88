// Under the differential graph: per function, its share before and after and the change, sortable
// (by change at first); and the functions only the baseline has, listed apart.
import { useMemo, useState } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { middleEllipsis } from './middle-ellipsis.ts';
import {
  compareFunctions,
  formatShare,
  onlyBefore,
  sortCompare,
  type CompareRow,
  type CompareSort,
} from './compare-functions.ts';
import { formatDelta } from './diff-tree.ts';
import { hiddenNames } from './top-functions.ts';

const SHOWN = 100;

function Rows({ rows }: { rows: readonly CompareRow[] }) {
  return (
    <>
      {rows.slice(0, SHOWN).map((row) => (
        <tr key={row.name}>
          <th scope="row" title={row.name}>
            {middleEllipsis(row.name, 80)}
          </th>
          <td>{formatShare(row.before)}</td>
          <td>{formatShare(row.after)}</td>
          <td class={row.change > 0 ? 'grew' : row.change < 0 ? 'shrank' : ''}>{formatDelta(row.change)}</td>
        </tr>
      ))}
    </>
  );
}

function SortHeader(props: {
  column: CompareSort;
  label: string;
  sort: CompareSort;
  reversed: boolean;
  onSort: (key: CompareSort) => void;
}) {
  const { column, sort, reversed } = props;
  const down = column === 'name' ? reversed : !reversed;
  return (
    <th scope="col" aria-sort={sort === column ? (down ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class="sort" onClick={() => props.onSort(column)}>
        {props.label}
        {sort === column ? (down ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
}

function RemovedTable({ rows, baseline }: { rows: readonly CompareRow[]; baseline: string }) {
  return (
    <table class="compare-functions removed">
      <caption>
        Only in {baseline} ({rows.length} functions)
      </caption>
      <thead>
        <tr>
          <th scope="col">Function</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
          <th scope="col">Change</th>
        </tr>
      </thead>
      <tbody>
        <Rows rows={rows} />
      </tbody>
    </table>
  );
}

export interface CompareTableProps {
  before: FlameNode;
  after: FlameNode;
  names: [string, string];
  /** The stacks start with the process (perf, bpftrace): those frames are not functions. */
  processFrames: boolean;
}

export function CompareTable({ before, after, names, processFrames }: CompareTableProps) {
  const rows = useMemo(() => {
    const hidden = new Set([...hiddenNames(before, processFrames), ...hiddenNames(after, processFrames)]);
    return compareFunctions(before, after).filter((row) => !hidden.has(row.name));
  }, [before, after, processFrames]);
  const [sort, setSort] = useState<{ key: CompareSort; reversed: boolean }>({
    key: 'change',
    reversed: false,
  });
  const sorted = useMemo(() => sortCompare(rows, sort.key, sort.reversed), [rows, sort]);
  const removed = useMemo(() => onlyBefore(rows), [rows]);
  const onSort = (key: CompareSort): void =>
    setSort((old) => ({ key, reversed: old.key === key ? !old.reversed : false }));
  const head = (key: CompareSort, label: string) => (
    <SortHeader column={key} label={label} sort={sort.key} reversed={sort.reversed} onSort={onSort} />
  );
  return (
    <div class="compare-tables">
      <table class="compare-functions">
        <caption>Change per function (share of all samples with the function on the stack)</caption>
        <thead>
          <tr>
            {head('name', 'Function')}
            {head('before', `Before (${names[0]})`)}
            {head('after', `After (${names[1]})`)}
            {head('change', 'Change')}
          </tr>
        </thead>
        <tbody>
          <Rows rows={sorted} />
        </tbody>
      </table>
      {sorted.length > SHOWN ? (
        <p class="hint">
          The first {SHOWN} of {sorted.length} functions.
        </p>
      ) : null}
      <RemovedTable rows={removed} baseline={names[0]} />
    </div>
  );
}
