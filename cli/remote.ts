// What every cluster verb shares: --help, usage errors (exit 2), the connection to the API server, and
// failures shown as the server worded them (exit 1).
import type { CliIo } from './io.ts';
import {
  helpText,
  optionText,
  parseArgs,
  requirePositionals,
  UsageError,
  type Parsed,
  type VerbSpec,
} from './args.ts';
import { printable } from './safe-output.ts';
import { createFurnaceApi, loadKubeConfigClass, type FurnaceApi } from './kube-api.ts';
import { createLocalApi } from './local-api.ts';

export interface VerbContext {
  parsed: Parsed;
  positionals: string[];
  io: CliIo;
  /** Connects on first use, so that usage errors need no kubeconfig. */
  api: () => FurnaceApi;
  /** -n, else the kubeconfig context's namespace. */
  namespace: () => string;
}

export type VerbBody = (context: VerbContext) => Promise<number>;

/**
 * How the verb reaches Furnace: `--server` directly, else through the API server the kubeconfig names
 * (client-node loads only then). Connects on first use.
 */
async function connector(parsed: Parsed): Promise<() => FurnaceApi> {
  let api: FurnaceApi | undefined;
  const server = optionText(parsed, 'server');
  if (server !== undefined) {
    if (optionText(parsed, 'kubeconfig') !== undefined || optionText(parsed, 'context') !== undefined)
      throw new UsageError('--server calls Furnace directly: it takes no --kubeconfig or --context');
    return () =>
      (api ??= createLocalApi({ server, keyFile: optionText(parsed, 'key-file'), env: process.env }));
  }
  const KubeConfigImpl = await loadKubeConfigClass();
  return () =>
    (api ??= createFurnaceApi(
      {
        kubeconfig: optionText(parsed, 'kubeconfig'),
        context: optionText(parsed, 'context'),
        env: process.env,
      },
      KubeConfigImpl,
    ));
}

export function remoteVerb(spec: VerbSpec, body: VerbBody): (argv: string[], io: CliIo) => Promise<number> {
  return async (argv, io) => {
    let context: VerbContext;
    try {
      const parsed = parseArgs(spec, argv);
      if (parsed.options.help === true) {
        io.stdout.write(helpText(spec));
        return 0;
      }
      const positionals = requirePositionals(spec, parsed);
      const connect = await connector(parsed);
      context = {
        parsed,
        positionals,
        io,
        api: connect,
        namespace: () => optionText(parsed, 'namespace') ?? connect().namespace,
      };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr.write(`furnace ${spec.name}: ${error.message}\n`);
      return 2;
    }
    try {
      return await body(context);
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr.write(`furnace ${spec.name}: ${error.message}\n`);
        return 2;
      }
      io.stderr.write(`furnace ${spec.name}: ${printable((error as Error).message)}\n`);
      return 1;
    }
  };
}
