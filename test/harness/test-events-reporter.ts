// A node:test reporter that writes one JSON line per test that starts or ends, with its file: how
// test/harness/run-files.ts tells, from one process that ran many files (--test-isolation=none), which files
// passed, how long each took, and which one was still running when the process was stopped. A line is written
// as its event comes, so that a process stopped at its limit still leaves what it had done.
import type { TestEvent } from 'node:test/reporters';
import type { TestEventSummary } from './file-results.ts';

/** One line of the reporter's output: what run-files reads, and the test's name for a person reading it. */
export interface TestEventLine extends TestEventSummary {
  name: string;
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
