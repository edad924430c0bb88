// A perf child process for unit tests of the sidecar's perf runners: it records the signals it is sent,
// exits as perf would on SIGINT (with the code and stderr given), and exits on demand.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildLike } from '../../sidecar/host/runtime.ts';

export class FakePerf extends EventEmitter implements ChildLike {
  pid = 4242;
  stdout = null;
  stderr = new PassThrough();
  signals: string[] = [];
  readonly #onInterrupt: { code: number; stderr: string };

  constructor(onInterrupt: { code: number; stderr: string }) {
    super();
    this.#onInterrupt = onInterrupt;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.signals.push(signal);
    if (signal === 'SIGINT') this.exit(this.#onInterrupt.code, null, this.#onInterrupt.stderr);
    return true;
  }

  exit(code: number | null, signal: string | null, stderr = ''): void {
    this.stderr.end(stderr);
    setImmediate(() => this.emit('close', code, signal));
  }
}
