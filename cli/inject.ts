// `furnace inject [-f FILE|-]... [--config FILE] [--image IMAGE] [--security-profile P] [--server-url URL]
// [--require-opt-in] [--force]`: prints the manifest with the sidecar injected into Pods and the pod
// templates of workloads; every other document passes through byte for byte. Same core as the webhook.
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { FurnaceError } from '../core/contract/errors.ts';
import { describeReason } from '../core/injection/describe-reason.ts';
import { INJECTED_KINDS, injectManifestObject } from '../core/injection/inject-manifest.ts';
import type { ManifestOptions } from '../core/injection/inject-manifest.ts';
import type { InjectionConfig } from '../core/injection/injection-config.ts';
import { parseInjectionConfig } from '../core/injection/injection-config.ts';
import { mergeRawConfig } from '../core/injection/injection-config-env.ts';
import { parseCli, type CliIo } from './io.ts';
import { readDocuments, renderChangedDocument } from './kubectl-yaml.ts';

const USAGE = `usage: furnace inject [-f FILE]... [options]

Prints the manifest (multi-document YAML, or a List) with the furnace sidecar injected into the pods of
these kinds: ${INJECTED_KINDS.join(', ')}.
Every other document (Services, ConfigMaps, RBAC, CRDs, ...) is printed as it came, byte for byte, so a
whole application can be piped through to kubectl apply. Reads stdin when no file is given (or with -f -).
What was injected or skipped, and why, goes to stderr.

options:
  -f, --filename FILE      manifest to read (repeatable; - for stdin)
      --config FILE        injection config (YAML/JSON, the keys of docs/webhook.md)
      --image IMAGE        sidecar image
      --security-profile P privileged (default) or capabilities
      --server-url URL     where sidecars register
      --require-opt-in     only inject pods labelled or annotated furnace=enabled, as the webhook does
      --force              also inject pods that opted out (labelled or annotated furnace=false)
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

/** The text with every injected document's value replaced; everything else is kept as it was. */
function injectText(text: string, source: string, options: ManifestOptions, io: CliIo): string {
  const edits: { start: number; end: number; text: string }[] = [];
  for (const doc of readDocuments(text, source)) {
    const result = injectManifestObject(doc.value, options);
    for (const { what, decision } of result.notes) {
      const verb = decision.inject ? 'injected' : 'not injected';
      const why = decision.reasons.map(describeReason).join('; ');
      io.stderr.write(`furnace inject: ${what}: ${verb} (${decision.reasons.join(', ')}): ${why}\n`);
    }
    if (result.changed) {
      edits.push({ start: doc.start, end: doc.end, text: renderChangedDocument(doc, result.object, text) });
    }
  }
  let out = text;
  for (const edit of edits.reverse()) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
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
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  try {
    const options: ManifestOptions = {
      config: await loadConfig(values),
      requireOptIn: values['require-opt-in'] === true,
      overrideOptOut: values.force === true,
    };
    const outputs: string[] = [];
    for (const file of values.filename ?? ['-']) {
      const text = file === '-' ? await readStream(io.stdin) : await readFile(file, 'utf8');
      outputs.push(injectText(text, file === '-' ? 'stdin' : file, options, io));
    }
    // Several files become one stream, with a document separator between them; one file comes out as
    // it went in, down to a missing last newline.
    const texts = outputs.filter((o) => o !== '');
    io.stdout.write(
      texts.map((o, i) => (i === texts.length - 1 || o.endsWith('\n') ? o : `${o}\n`)).join('---\n'),
    );
    return 0;
  } catch (error) {
    const message = error instanceof FurnaceError || error instanceof Error ? error.message : String(error);
    io.stderr.write(`furnace inject: ${message}\n`);
    return 1;
  }
}
