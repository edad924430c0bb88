// What the CLI takes from the server before it names a file or prints a line: the server relays what
// recorders answer, so an id must be a recording id, an artifact name one of the fixed list, and text may
// carry no terminal control (escape sequences that move the cursor, rewrite the title or hide a line).
import { isArtifactName, type ArtifactName } from '../core/contract/names.ts';
import { RECORDING_ID_PATTERN } from '../core/contract/recording.ts';

const RECORDING_ID = new RegExp(RECORDING_ID_PATTERN);
// C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character replaced by U+FFFD, so printing it cannot drive the terminal. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, '\uFFFD');
}

/** JSON for the terminal: JSON.stringify escapes C0 controls itself; C1 and bidi controls are escaped too. */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    UNPRINTABLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The id, if it is a recording id; else an error that says what came instead. */
export function checkedRecordingId(id: unknown, from: string): string {
  if (typeof id === 'string' && RECORDING_ID.test(id)) return id;
  throw new Error(
    `${from} named a recording ${printable(JSON.stringify(id) ?? 'undefined')}, which is not a recording id`,
  );
}

/** The artifact names, if every one is on the fixed list; else an error naming the first that is not. */
export function checkedArtifactNames(names: readonly unknown[], from: string): ArtifactName[] {
  for (const name of names) {
    if (typeof name !== 'string' || !isArtifactName(name))
      throw new Error(
        `${from} named an artifact ${printable(JSON.stringify(name) ?? 'undefined')}, which Furnace does not make`,
      );
  }
  return names as ArtifactName[];
}
