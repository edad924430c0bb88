// What a key does on the flame graph: arrows move the selection (up is toward the leaves in a flame
// graph, toward the root in an icicle), Enter or Space zooms, Escape resets. Pure.
import type { Orientation } from '../routing/url-state.ts';
import type { Move } from './frame-rows.ts';

export type KeyAction = { kind: 'move'; move: Move } | { kind: 'zoom' } | { kind: 'reset' } | undefined;

const KEY_MOVES: Record<string, { flame: Move; icicle: Move }> = {
  ArrowLeft: { flame: 'left', icicle: 'left' },
  ArrowRight: { flame: 'right', icicle: 'right' },
  ArrowUp: { flame: 'child', icicle: 'parent' },
  ArrowDown: { flame: 'parent', icicle: 'child' },
};

export function keyAction(key: string, orientation: Orientation): KeyAction {
  const move = KEY_MOVES[key];
  if (move) return { kind: 'move', move: move[orientation] };
  if (key === 'Enter' || key === ' ') return { kind: 'zoom' };
  if (key === 'Escape') return { kind: 'reset' };
  return undefined;
}
