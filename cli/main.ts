// `furnace` command dispatcher. Each subcommand lives in its own module and exports `run(argv, io)`.
import type { CliIo } from './io.ts';

type Subcommand = (argv: string[], io: CliIo) => Promise<number>;

const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<Subcommand> }> = {
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
  },
  list: {
    summary: 'recordings in the catalog (or --pods: pods with a registered sidecar)',
    load: async () => (await import('./catalog-verbs.ts')).runList,
  },
  get: {
    summary: "a catalogued recording's details as JSON",
    load: async () => (await import('./catalog-verbs.ts')).runGet,
  },
  download: {
    summary: "a catalogued recording's artifacts (--format svg|html|folded|speedscope|perf.data|pprof|otlp)",
    load: async () => (await import('./catalog-verbs.ts')).runDownload,
  },
  continuous: {
    summary: 'the merged flame graph of a time range of continuous profiling (--format folded|svg|pprof)',
    load: async () => (await import('./continuous-verb.ts')).runContinuous,
  },
  catalog: {
    summary:
      "migrate: a single replica's filesystem catalog into the bucket of storage.s3 (run where the data is)",
    // The server's own catalog and storage code: the one place that reads and writes both stores.
    load: async () => (await import('../server/catalog/migrate/migrate-command.ts')).run,
  },
  open: {
    summary: "a recording's page of the web UI, through a local `ui` forwarder",
    load: async () => (await import('./ui-forwarder.ts')).runOpen,
  },
  ui: {
    summary: 'the web UI on a loopback port, forwarded through the API server with your identity',
    load: async () => (await import('./ui-forwarder.ts')).runUi,
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
  return (await sub.load())(rest, io);
}
