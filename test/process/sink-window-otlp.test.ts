// A continuous window pushed to an OTLP sink (server/sinks/window-export.ts), received by the fake OTLP
// receiver (test/fixtures/otlp-check in serve mode: the official Go OTLP bindings decode every push; not
// the Collector): a valid ExportProfilesServiceRequest per window at /v1development/profiles, the
// window's stacks total for total, its time range, and the resource naming namespace, pod, container,
// workload and node; the window's key in X-Furnace-Window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SINK_DELIVERY } from '../../core/sinks/sink.ts';
import { parseFolded, totalSamples } from '../../core/stacks/folded.ts';
import { parseWindowKey } from '../../server/continuous/window-keys.ts';
import { filesystemWindows } from '../../server/continuous/window-store.ts';
import { sendPush } from '../../server/sinks/push-http.ts';
import { startWindowExport } from '../../server/sinks/window-export.ts';
import { BASE, writeWindows } from '../harness/continuous-windows.ts';
import { startOtlpReceiver } from '../harness/otlp-receiver.ts';
import { workDir } from '../harness/temp-dirs.ts';

describe('continuous windows to an OTLP sink, read with the official Go OTLP bindings', () => {
  it('sends each window as a valid request with its stacks, range and resource', async (t) => {
    const receiver = await startOtlpReceiver(t);
    const windows = filesystemWindows(await workDir(t, 'window-otlp'));
    await writeWindows(windows, ['web-1', 'web-2'], BASE, 3);
    const exporter =
      startWindowExport({
        sinks: [
          {
            name: 'collector',
            type: 'otlp',
            url: receiver.url,
            recordings: 'named',
            continuous: true,
            format: 'pprof',
            timeoutSeconds: 10,
          },
        ],
        settings: DEFAULT_SINK_DELIVERY,
        windows,
        frequency: 19,
        send: sendPush,
        now: () => BASE + 60_000,
        everyMs: 3_600_000,
      }) ?? assert.fail();
    t.after(() => exporter.stop());
    await exporter.passNow();
    const received = receiver.received();
    assert.equal(received.length, 6, 'two pods × three windows');
    for (const push of received) {
      const meta = parseWindowKey(push.windowKey) ?? assert.fail(`a window key: ${push.windowKey}`);
      const stacks = parseFolded((await windows.get(push.windowKey)) ?? assert.fail());
      const { report } = push;
      assert.equal(push.path, '/v1development/profiles');
      assert.equal(push.contentType, 'application/x-protobuf');
      assert.deepEqual(report.problems, []);
      assert.equal(report.total, totalSamples(stacks), 'totals');
      assert.deepEqual(parseFolded(report.folded), stacks, 'the same stacks');
      assert.deepEqual(report.resource, {
        'k8s.namespace.name': 'shop',
        'k8s.pod.name': meta.pod,
        'k8s.container.name': 'app',
        'service.name': 'web',
        'k8s.node.name': 'node-1',
      });
      assert.equal(report.timeUnixNano, meta.start * 1e6);
      assert.equal(report.durationNano, (meta.end - meta.start) * 1e6);
      assert.equal(report.period, Math.round(1e9 / 19));
    }
    assert.equal(new Set(received.map((p) => p.windowKey)).size, 6, 'each window once');
  });
});
