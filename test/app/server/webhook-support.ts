// Shared by the webhook app tests (not a test file itself).
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { parseInjectionConfig } from '../../../core/injection/injection-config.ts';
import { buildWebhookApp } from '../../../server/webhook/build-webhook-app.ts';
import type { WebhookApp } from '../../../server/webhook/build-webhook-app.ts';
import { generateDevCertificates } from '../../../server/webhook/tls.ts';
import type { DevCertificates } from '../../../server/webhook/tls.ts';

let certificates: Promise<DevCertificates> | undefined;

/** One CA and serving certificate for the whole file: openssl is not free. */
export function devCertificates(): Promise<DevCertificates> {
  certificates ??= generateDevCertificates();
  return certificates;
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface TestWebhook {
  app: WebhookApp;
  registry: Registry;
  logs: LogLine[];
}

export async function buildTestWebhook(
  t: TestContext,
  config: Record<string, unknown> = {},
): Promise<TestWebhook> {
  const certs = await devCertificates();
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const registry = new Registry();
  const app = buildWebhookApp({
    config: parseInjectionConfig(config),
    https: { key: certs.keyPem, cert: certs.certPem },
    logger: pino({ level: 'info' }, sink),
    metricsRegistry: registry,
  });
  t.after(() => app.close());
  return { app, registry, logs };
}

export function optedInPod(): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', labels: { furnace: 'enabled' }, annotations: { team: 'a' } },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
  };
}

export async function metricValue(registry: Registry, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric('furnace_webhook_decisions_total')?.get();
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return match?.value ?? 0;
}
