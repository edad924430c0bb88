// A node:test reporter that writes one JSON line per test that starts or ends, with its file: how
// test/harness/run-files.ts tells, from one process that ran many files (--test-isolation=none), which files
// passed, how long each took, and which one was still running when the process was stopped. A line is written
// as its event comes, so that a process stopped at its limit still leaves what it had done.
import type { TestEvent } from 'node:test/reporters';

/** One line of the reporter's output. */
export interface TestEventLine {
  event: 'start' | 'pass' | 'fail';
  file: string;
  name: string;
  nesting: number;
  suite: boolean;
  ms: number;
  skip: boolean;
  todo: boolean;
  cancelled: boolean;
}

function line(event: TestEventLine['event'], data: Record<string, unknown>): string {
  const details = (data.details ?? {}) as {
    duration_ms?: number;
    type?: string;
    error?: { failureType?: string };
  };
  const entry: TestEventLine = {
    event,
    file: typeof data.file === 'string' ? data.file : '',
    name: String(data.name),
    nesting: Number(data.nesting),
    suite: details.type === 'suite',
    ms: details.duration_ms ?? 0,
    skip: data.skip !== undefined && data.skip !== false,
    todo: data.todo !== undefined && data.todo !== false,
    cancelled: details.error?.failureType === 'cancelledByParent',
  };
  return `${JSON.stringify(entry)}\n`;
}

export default async function* testEvents(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  for await (const { type, data } of source) {
    if (type === 'test:start') yield line('start', data as unknown as Record<string, unknown>);
    if (type === 'test:pass') yield line('pass', data as unknown as Record<string, unknown>);
    if (type === 'test:fail') yield line('fail', data as unknown as Record<string, unknown>);
  }
}
