// The timeline: samples per bucket, stacked per pod or workload, as SVG bars. Drag across it to brush a
// range (the pointer's start and end, snapped to buckets); ranges already picked are drawn over the bars.
import { useRef, useState } from 'preact/hooks';
import type { TimelineView } from '../../../core/continuous/continuous-timeline.ts';
import { formatCount } from '../../../core/render/format-count.ts';
import type { TimeRange } from './continuous-url.ts';
import { formatClock } from './format-clock.ts';

const WIDTH = 1000;
const HEIGHT = 160;
/** Series colours, told apart also by the legend's order. */
const COLORS = ['#d9480f', '#1c7ed6', '#2b8a3e', '#ae3ec9', '#e67700', '#0b7285', '#c2255c', '#5c940d'];

export interface TimelineChartProps {
  view: TimelineView;
  /** The ranges to mark: the brushed one and, when comparing, the second. */
  marks: { range: TimeRange; label: string; className: string }[];
  onBrush: (range: TimeRange) => void;
}

function Bars({ view }: { view: TimelineView }) {
  const count = view.series[0]?.samples.length ?? 0;
  const stacked = new Array<number>(count).fill(0);
  for (const series of view.series) series.samples.forEach((n, i) => (stacked[i] = (stacked[i] ?? 0) + n));
  const max = Math.max(1, ...stacked);
  const barWidth = WIDTH / Math.max(1, count);
  const base = new Array<number>(count).fill(0);
  return (
    <>
      {view.series.map((series, s) =>
        series.samples.map((n, i) => {
          if (n === 0) return null;
          const height = (n / max) * HEIGHT;
          const y = HEIGHT - (base[i] ?? 0) - height;
          base[i] = (base[i] ?? 0) + height;
          return (
            <rect
              key={`${s}-${i}`}
              x={i * barWidth}
              y={y}
              width={Math.max(barWidth - 0.5, 0.5)}
              height={height}
              fill={COLORS[s % COLORS.length]}
            />
          );
        }),
      )}
    </>
  );
}

/** The time at a pointer's x, snapped to the bucket edge nearest to it. */
function timeAt(event: PointerEvent, svg: SVGSVGElement, view: TimelineView): number {
  const rect = svg.getBoundingClientRect();
  const fraction = Math.min(1, Math.max(0, (event.clientX - rect.left) / Math.max(1, rect.width)));
  const at = view.from + fraction * (view.to - view.from);
  const snapped = view.from + Math.round((at - view.from) / view.bucketMs) * view.bucketMs;
  return Math.min(view.to, Math.max(view.from, snapped));
}

function xOf(time: number, view: TimelineView): number {
  return ((time - view.from) / (view.to - view.from)) * WIDTH;
}

function Legend({ view }: { view: TimelineView }) {
  return (
    <ul class="timeline-legend" aria-label={`Samples per ${view.by}`}>
      {view.series.map((series, s) => (
        <li key={series.name}>
          <span class="swatch" style={{ background: COLORS[s % COLORS.length] }} aria-hidden="true" />
          {series.name}: {formatCount(series.total)} samples
        </li>
      ))}
    </ul>
  );
}

export function TimelineChart({ view, marks, onBrush }: TimelineChartProps) {
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ start: number; end: number } | undefined>(undefined);
  const finish = (event: PointerEvent): void => {
    if (!drag || !svg.current) return;
    const end = timeAt(event, svg.current, view);
    setDrag(undefined);
    const range = { from: Math.min(drag.start, end), to: Math.max(drag.start, end) };
    // A click without a drag picks the bucket under the pointer.
    if (range.to - range.from < view.bucketMs) range.to = Math.min(view.to, range.from + view.bucketMs);
    if (range.to > range.from) onBrush(range);
  };
  const shown = drag
    ? [
        {
          range: { from: Math.min(drag.start, drag.end), to: Math.max(drag.start, drag.end) },
          label: '',
          className: 'brushing',
        },
      ]
    : marks;
  return (
    <figure class="timeline">
      <svg
        ref={svg}
        role="img"
        aria-label={`Timeline of ${view.namespace}: ${formatCount(view.samples)} samples in ${view.windows} windows from ${formatClock(view.from)} to ${formatClock(view.to)}; drag across it to pick a range`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        onPointerDown={(event) => {
          if (!svg.current) return;
          svg.current.setPointerCapture?.(event.pointerId);
          const at = timeAt(event, svg.current, view);
          setDrag({ start: at, end: at });
        }}
        onPointerMove={(event) => {
          if (drag && svg.current) setDrag({ ...drag, end: timeAt(event, svg.current, view) });
        }}
        onPointerUp={finish}
      >
        <Bars view={view} />
        {shown.map((mark) => (
          <rect
            key={mark.className}
            class={`timeline-mark ${mark.className}`}
            x={xOf(mark.range.from, view)}
            y={0}
            width={Math.max(1, xOf(mark.range.to, view) - xOf(mark.range.from, view))}
            height={HEIGHT}
          />
        ))}
      </svg>
      <figcaption class="timeline-axis">
        <span>{formatClock(view.from)}</span>
        <span>buckets of {formatDuration(view.bucketMs)}</span>
        <span>{formatClock(view.to)}</span>
      </figcaption>
      <Legend view={view} />
    </figure>
  );
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
