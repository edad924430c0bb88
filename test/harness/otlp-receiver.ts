// A fake OTLP receiver (not the Collector): test/fixtures/otlp-check in `serve` mode, an OTLP/HTTP
// endpoint that decodes every push with the official Go bindings and reports what it received. Started
// for a test and stopped by PID when the test ends (or earlier, to take a sink down).
import type { TestContext } from 'node:test';
import { eventually } from './eventually.ts';
import { otlpCheckProgram, type OtlpCheckReport } from './otlp-check-program.ts';
import { startProcess, type RunningProcess } from './processes.ts';

export interface OtlpReceived {
  path: string;
  contentType: string;
  recordingId: string;
  /** X-Furnace-Window of a continuous window's push; empty for a recording's. */
  windowKey: string;
  report: OtlpCheckReport;
}

export interface OtlpReceiver {
  url: string;
  process: RunningProcess;
  /** Every push received so far, in order. */
  received(): OtlpReceived[];
}

/** Starts the receiver on `address` (127.0.0.1:0 for any free port). */
export async function startOtlpReceiver(t: TestContext, address = '127.0.0.1:0'): Promise<OtlpReceiver> {
  const running = startProcess(t, await otlpCheckProgram(), ['serve', address]);
  const listening = await eventually(
    () => Promise.resolve(/^listening (\S+)$/m.exec(running.output())?.[1]),
    30_000,
    'the fake OTLP receiver to listen',
    20,
  );
  return {
    url: `http://${listening}`,
    process: running,
    received: () =>
      running
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as OtlpReceived),
  };
}
