// Which of a recording's warnings each kind wrote (recording-events.ts, WarningKind), kept by the recorder
// beside the status and journaled with it: the status's warnings stay plain sentences for every reader (the
// catalog takes the recorder's list whole at each upload), and only the recorder, which wrote them, needs to
// know which ones a `warnings` event replaces. Pure.
import type { RecordingStatus } from '../../core/contract/recording.ts';
import type { RecordingEvent, WarningKind } from '../recording-events.ts';
import { applyEvent } from './recording-machine.ts';

export const WARNING_KINDS: readonly WarningKind[] = ['symbols', 'diagnosis'];

/** The messages each kind wrote, in the order written; a kind that wrote none is absent. */
export type WarningsByKind = Partial<Record<WarningKind, string[]>>;

/** A recording as its recorder holds it: the status every reader gets, and its warnings by kind. */
export interface RecorderState {
  status: RecordingStatus;
  kinds: WarningsByKind;
}

/** The status with `replaced` left out of its warnings (one each, as written) and `added` after the rest. */
function replacedWarnings(
  status: RecordingStatus,
  replaced: readonly string[],
  added: readonly string[],
): RecordingStatus {
  const left = [...replaced];
  const kept = (status.warnings ?? []).filter((warning) => {
    const at = left.indexOf(warning);
    if (at < 0) return true;
    left.splice(at, 1);
    return false;
  });
  const warnings = [...kept, ...added];
  const { warnings: _before, ...rest } = status;
  return warnings.length > 0 ? { ...rest, warnings } : rest;
}

function withKind(kinds: WarningsByKind, kind: WarningKind, messages: string[]): WarningsByKind {
  const { [kind]: _before, ...rest } = kinds;
  return messages.length > 0 ? { ...rest, [kind]: messages } : rest;
}

/**
 * Applies one event (recording-machine.ts decides all but `warnings`); an event the state does not allow
 * throws TransitionError as there.
 */
export function applyRecorderEvent(state: RecorderState, event: RecordingEvent): RecorderState {
  const { status, kinds } = state;
  if (event.type === 'warnings')
    return {
      status: replacedWarnings(status, kinds[event.kind] ?? [], event.messages),
      kinds: withKind(kinds, event.kind, [...event.messages]),
    };
  const next = applyEvent(status, event);
  if (event.type !== 'warning' || event.kind === undefined) return { status: next, kinds };
  return { status: next, kinds: withKind(kinds, event.kind, [...(kinds[event.kind] ?? []), event.message]) };
}

/** Warnings by kind as a journal holds them; anything else in it is left out. */
export function readWarningKinds(value: unknown): WarningsByKind {
  if (typeof value !== 'object' || value === null) return {};
  const kinds: WarningsByKind = {};
  for (const kind of WARNING_KINDS) {
    const messages: unknown = (value as Record<string, unknown>)[kind];
    if (Array.isArray(messages) && messages.every((m) => typeof m === 'string')) kinds[kind] = messages;
  }
  return kinds;
}
