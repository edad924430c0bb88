// The tooltip beside a frame: its description, the name line first; kept inside the graph's width.
export interface TipAt<F> {
  frame: F;
  /** Where the pointer (or the selected frame) is, in the graph's pixels. */
  x: number;
  y: number;
}

export interface FlameTooltipProps {
  lines: string[];
  x: number;
  y: number;
  /** Of the graph. */
  width: number;
}

export function FlameTooltip({ lines, x, y, width }: FlameTooltipProps) {
  return (
    <div
      class="tooltip"
      role="tooltip"
      style={{ left: `${Math.min(x + 12, Math.max(width - 320, 0))}px`, top: `${y + 16}px` }}
    >
      {lines.map((line, i) => (
        <div key={i} class={i === 0 ? 'tooltip-name' : undefined}>
          {line}
        </div>
      ))}
    </div>
  );
}
