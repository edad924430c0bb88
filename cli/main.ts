// `furnace` command dispatcher. Each subcommand lives in its own module and exports `run(argv, io)`.
import type { CliIo } from './io.ts';
import { runOnNodeFor } from './node-runtime.ts';

type Subcommand = (argv: string[], io: CliIo) => Promise<number>;

/**
 * What of @kubernetes/client-node a verb loads (node-runtime.ts): `connects` only when it reaches a cluster
 * (not with --server or --help), `loads` whenever it runs.
 */
type KubeClientUse = 'connects' | 'loads';

const SUBCOMMANDS: Record<
  string,
  { summary: string; load: () => Promise<Subcommand>; kube?: KubeClientUse }
> = {
  inject: {
    summary: 'print a manifest with the furnace sidecar injected (-f FILE, or stdin)',
    load: async () => (await import('./inject.ts')).run,
  },
  'collapse-perf': {
    summary: 'perf script text on stdin → folded stacks on stdout',
    load: async () => (await import('./collapse-perf.ts')).run,
  },
  flamegraph: {
    summary: 'folded stacks on stdin → SVG flame graph on stdout',
    load: async () => (await import('./flamegraph.ts')).run,
  },
  record: {
    summary: "record a pod through the cluster's API server, write the flame graph and artifacts",
    load: async () => (await import('./record.ts')).run,
    kube: 'connects',
  },
  list: {
    summary: 'recordings in the catalog (or --pods: pods with a registered sidecar)',
    load: async () => (await import('./catalog-verbs.ts')).runList,
    kube: 'connects',
  },
  get: {
    summary: "a catalogued recording's details as JSON",
    load: async () => (await import('./catalog-verbs.ts')).runGet,
    kube: 'connects',
  },
  download: {
    summary: "a catalogued recording's artifacts (--format svg|html|folded|speedscope|perf.data|pprof|otlp)",
    load: async () => (await import('./catalog-verbs.ts')).runDownload,
    kube: 'connects',
  },
  continuous: {
    summary: 'the merged flame graph of a time range of continuous profiling (--format folded|svg|pprof)',
    load: async () => (await import('./continuous-verb.ts')).runContinuous,
    kube: 'connects',
  },
  symbols: {
    summary:
      "a namespace's symbol files for stripped binaries: upload FILE, list, delete BUILD-ID; resymbolize ID",
    load: async () => (await import('./symbols-verb.ts')).run,
    kube: 'connects',
  },
  open: {
    summary: "a recording's page of the web UI, through a local `ui` forwarder",
    load: async () => (await import('./ui-forwarder.ts')).runOpen,
    kube: 'connects',
  },
  ui: {
    summary: 'the web UI on a loopback port, forwarded through the API server with your identity',
    load: async () => (await import('./ui-forwarder.ts')).runUi,
    kube: 'connects',
  },
  mcp: {
    summary: 'an MCP server on stdio: lets an assistant list, record, summarize and compare, as you',
    load: async () => (await import('./mcp/mcp-verb.ts')).run,
    kube: 'connects',
  },
};

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(15)} ${s.summary}`);
  return (
    `usage: furnace <command> [options]   (also: kubectl furnace <command> [options])\n\ncommands:\n${lines.join('\n')}\n\n` +
    "'furnace <command> --help' describes a command's options.\n"
  );
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    io.stderr.write(`furnace: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  if (sub.kube !== undefined && needsKubeClient(sub.kube, rest)) {
    const code = await runOnNodeFor(name, io, { offersServer: sub.kube === 'connects' });
    if (code !== undefined) return code;
  }
  return (await sub.load())(rest, io);
}

/** Whether this run of a verb loads the Kubernetes client: a connecting verb not asked for --help or --server. */
function needsKubeClient(use: KubeClientUse, argv: readonly string[]): boolean {
  if (use === 'loads') return true;
  const option = (name: string): boolean => argv.some((a) => a === name || a.startsWith(`${name}=`));
  return !(option('--server') || option('--help') || argv.includes('-h'));
}
