// `furnace inject [-f FILE|-]... [--config FILE] [--image IMAGE] [--security-profile P] [--server-url URL]
// [--require-opt-in]`: prints the manifest with the sidecar injected into Pods and the pod templates of
// Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs. Same core as the webhook.
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { FurnaceError } from '../core/errors.ts';
import { injectManifestObject } from '../core/injection/inject-manifest.ts';
import type { InjectionConfig } from '../core/injection/injection-config.ts';
import { parseInjectionConfig } from '../core/injection/injection-config.ts';
import { mergeRawConfig } from '../core/injection/injection-config-env.ts';
import { parseCli, type CliIo } from './io.ts';

const USAGE = `usage: furnace inject [-f FILE]... [options]

Prints the manifest (multi-document YAML) with the furnace sidecar injected into every Pod and every
pod template of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs. Other documents
are printed unchanged. Reads stdin when no file is given (or with -f -).

options:
  -f, --filename FILE      manifest to read (repeatable; - for stdin)
      --config FILE        injection config (YAML/JSON, the keys of docs/webhook.md)
      --image IMAGE        sidecar image
      --security-profile P privileged (default) or capabilities
      --server-url URL     where sidecars register
      --require-opt-in     only inject pods labelled or annotated furnace=enabled, as the webhook does
`;

async function readStream(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

async function loadConfig(
  values: Record<string, string | boolean | string[] | undefined>,
): Promise<InjectionConfig> {
  let fromFile: unknown = {};
  if (typeof values.config === 'string') {
    fromFile = (parse(await readFile(values.config, 'utf8')) as unknown) ?? {};
    if (typeof fromFile !== 'object' || Array.isArray(fromFile))
      throw new Error(`${values.config}: not a map of keys`);
  }
  const flags: Record<string, unknown> = {};
  if (typeof values.image === 'string') flags.image = values.image;
  if (typeof values['security-profile'] === 'string') flags.securityProfile = values['security-profile'];
  if (typeof values['server-url'] === 'string') flags.serverUrl = values['server-url'];
  return parseInjectionConfig(mergeRawConfig(fromFile, flags));
}

function injectText(
  text: string,
  source: string,
  config: InjectionConfig,
  requireOptIn: boolean,
  io: CliIo,
): string[] {
  const out: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    if (doc.contents === null) continue;
    const result = injectManifestObject(doc.toJS(), config, requireOptIn);
    for (const { what, decision } of result.notes) {
      const verb = decision.inject ? 'injected' : 'not injected';
      io.stderr.write(`furnace inject: ${what}: ${verb} (${decision.reasons.join(', ')})\n`);
    }
    // Untouched documents keep their text, comments included.
    out.push(result.changed ? stringify(result.object) : doc.toString().replace(/^---[ \t]*\n/, ''));
  }
  return out;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCli(io, { name: 'inject', usage: USAGE }, () =>
    parseArgs({
      args: argv,
      options: {
        filename: { type: 'string', short: 'f', multiple: true },
        config: { type: 'string' },
        image: { type: 'string' },
        'security-profile': { type: 'string' },
        'server-url': { type: 'string' },
        'require-opt-in': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  try {
    const config = await loadConfig(values);
    const documents: string[] = [];
    for (const file of values.filename ?? ['-']) {
      const text = file === '-' ? await readStream(io.stdin) : await readFile(file, 'utf8');
      documents.push(
        ...injectText(text, file === '-' ? 'stdin' : file, config, values['require-opt-in'] === true, io),
      );
    }
    io.stdout.write(documents.map((d) => (d.endsWith('\n') ? d : `${d}\n`)).join('---\n'));
    return 0;
  } catch (error) {
    const message = error instanceof FurnaceError || error instanceof Error ? error.message : String(error);
    io.stderr.write(`furnace inject: ${message}\n`);
    return 1;
  }
}
