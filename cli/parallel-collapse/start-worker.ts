// Starts one of `furnace collapse-perf`'s worker threads (part-worker: a part of a file, or the
// pipeline's line finder), from the TypeScript sources, dist/ or the bundle alike.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TYPESCRIPT_NODE_ARGS } from '../../core/typescript-args.ts';

export interface StartedWorker<T> {
  /** The worker's code is loaded and running (its first message). */
  ready: Promise<void>;
  /** Its answer (its second message), or undefined when it ended without one. */
  done: Promise<T | undefined>;
}

export function startWorker<T>(job: unknown): StartedWorker<T> {
  const self = fileURLToPath(import.meta.url);
  // From the TypeScript sources (a checkout, tests) the worker runs as this thread does: through tsx on a Node
  // that cannot strip types (core/typescript-args.ts). dist/ is plain JavaScript, and so is the bundle
  // (dist/bundle/furnace.mjs), with part-worker.mjs beside it.
  const needsTsx = extname(self) === '.ts' && TYPESCRIPT_NODE_ARGS.length > 0;
  const worker = new Worker(new URL(`./part-worker${extname(self)}`, import.meta.url), {
    workerData: job,
    execArgv:
      needsTsx && !process.execArgv.includes('tsx')
        ? [...process.execArgv, ...TYPESCRIPT_NODE_ARGS]
        : undefined,
  });
  let answered = false;
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`a collapse worker ended with code ${code} before it started`)),
    );
  });
  const done = new Promise<T | undefined>((resolve, reject) => {
    let messages = 0;
    worker.on('message', (answer: T) => {
      if (++messages !== 2) return;
      answered = true;
      resolve(answer);
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0 || answered
        ? resolve(undefined)
        : reject(new Error(`a collapse worker ended with code ${code}`)),
    );
  });
  // Either may be left unawaited when the other fails first.
  ready.catch(() => undefined);
  done.catch(() => undefined);
  return { ready, done };
}
