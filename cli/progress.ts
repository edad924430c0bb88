// The progress of a recording on stderr: on a terminal one line rewritten in place with \r; otherwise a
// plain line each time the text changes, so logs and pipes get no control characters.
import type { Writable } from 'node:stream';
import { printable } from './safe-output.ts';

export interface Progress {
  update(text: string): void;
  /** Ends the line on a terminal. */
  done(): void;
}

export function createProgress(stream: Writable & { isTTY?: boolean }): Progress {
  let last = '';
  const tty = stream.isTTY === true;
  return {
    update(text) {
      if (text === last) return;
      last = text;
      // \x1b[K clears what a longer previous line left behind.
      const line = printable(text);
      stream.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    },
    done() {
      if (tty && last !== '') stream.write('\n');
      last = '';
    },
  };
}

/** `recording 40% (record)`, the words a user reads on the progress line. */
export function describeProgress(status: { state: string; stage?: string; progress?: number }): string {
  const percent = Math.round(Math.min(1, Math.max(0, status.progress ?? 0)) * 100);
  return `${status.state}${status.stage ? ` (${status.stage})` : ''} ${percent}%`;
}
