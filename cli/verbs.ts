// The cluster verbs' options and help (pure): record, list, get, download, open, ui. Each goes through
// the Kubernetes API server to Furnace's aggregated API with the kubeconfig's own credentials.
import { PROFILE_TYPES } from '../core/contract/profile-types.ts';
import type { OptionSpec, VerbSpec } from './args.ts';

const NAMESPACE: OptionSpec = {
  name: 'namespace',
  short: 'n',
  value: 'NS',
  help: "the namespace (default: the kubeconfig context's, else default)",
};
const OUTPUT: OptionSpec = {
  name: 'output',
  short: 'o',
  value: 'DIR',
  help: 'the directory to write into (created if missing)',
};
const NO_BROWSER: OptionSpec = {
  name: 'no-browser',
  flag: true,
  help: 'print the URL instead of opening a browser',
};

/** `--format` values and the artifact each one downloads. */
export const FORMATS: Record<string, string> = {
  svg: 'flamegraph.svg',
  html: 'flamegraph.html',
  folded: 'stacks.folded',
  speedscope: 'speedscope.json',
  'perf.data': 'perf.data',
  pprof: 'profile.pb.gz',
  otlp: 'profile.otlp.pb',
};

/** `furnace continuous --format` values: folded as the server merged them, or made from them here. */
export const CONTINUOUS_FORMATS = ['folded', 'svg', 'pprof'];

export const PROFILERS = ['perf', 'pprof', 'bpftrace', 'auto', 'node'] as const;

const CREDENTIALS_NOTE =
  'Credentials come from the kubeconfig (client certificates, tokens and exec plugins alike); the\n' +
  'request goes to the API server, which forwards it to Furnace with your identity (aggregated API\n' +
  'profiling.furnace.hyperfoil.io/v1alpha1). No Route, Ingress or port-forward is needed.';

export const VERBS = {
  record: {
    name: 'record',
    positionals: ['<pod>'],
    summary:
      "Records a pod's containers through its Furnace sidecar, waits for the flame graph, and writes the\nartifacts into a directory.",
    options: [
      NAMESPACE,
      {
        name: 'container',
        short: 'c',
        value: 'NAME',
        help: 'record only this container (default: all but the sidecar)',
      },
      {
        name: 'duration',
        short: 'd',
        value: 'TIME',
        help: 'how long to record: 30s, 2m, 1m30s (default 30s)',
      },
      { name: 'frequency', short: 'F', value: 'HZ', help: 'samples per second (default: the server’s, 99)' },
      {
        name: 'pattern',
        short: 'p',
        value: 'REGEX',
        help: 'record the processes whose name (else command line) matches (processPattern)',
      },
      { name: 'pid', value: 'PID', help: 'record this process (as the recorder sees its PID)' },
      { name: 'profiler', value: 'NAME', help: `${PROFILERS.join(', ')} (default: perf)` },
      {
        name: 'call-graph',
        value: 'MODE',
        help: 'how perf walks stacks: auto (dwarf where the programs lack frame pointers), fp or dwarf (default: auto)',
      },
      {
        name: 'profile',
        value: 'TYPE',
        help: `what to measure: ${PROFILE_TYPES.join(', ')} (default: cpu; offcpu is time blocked, wall is on and off the CPU; heap, goroutine, allocs, mutex and block with --profiler pprof)`,
      },
      {
        name: 'program',
        value: 'FILE',
        help: 'a bpftrace program to run (implies --profiler bpftrace; - reads stdin; needs the furnace-tracer role)',
      },
      { ...OUTPUT, help: 'the directory to write the artifacts into (default: ./furnace-<id>)' },
    ],
    notes: `Progress is one line rewritten in place on a terminal, plain lines otherwise.\n\n${CREDENTIALS_NOTE}`,
  },
  list: {
    name: 'list',
    positionals: [],
    summary: 'Lists the recordings in the catalog that you may see, newest first.',
    options: [
      NAMESPACE,
      { name: 'all-namespaces', short: 'A', flag: true, help: 'every namespace you may see' },
      { name: 'pods', flag: true, help: 'list the pods with a registered sidecar instead' },
    ],
    notes: CREDENTIALS_NOTE,
  },
  get: {
    name: 'get',
    positionals: ['<id>'],
    summary: "Prints a catalogued recording's details as JSON.",
    options: [NAMESPACE],
    notes: CREDENTIALS_NOTE,
  },
  download: {
    name: 'download',
    positionals: ['<id>'],
    summary: "Downloads a catalogued recording's artifacts (all of them, or one format).",
    options: [
      NAMESPACE,
      { ...OUTPUT, help: 'the directory to write into (default: the current one)' },
      { name: 'format', value: 'FORMAT', help: `one of ${Object.keys(FORMATS).join(', ')} (default: all)` },
    ],
    notes: CREDENTIALS_NOTE,
  },
  open: {
    name: 'open',
    positionals: ['<id>'],
    summary: "Opens the recording's page of the web UI through a local `furnace ui` forwarder.",
    options: [{ name: 'port', value: 'PORT', help: 'the local port (default: any free one)' }, NO_BROWSER],
    notes: 'Runs until interrupted (Ctrl-C).',
  },
  continuous: {
    name: 'continuous',
    positionals: ['<namespace>'],
    summary:
      "Writes the merged flame graph of a time range of a namespace's continuous profiling (every window\nthat overlaps the range, added up), optionally of one workload, pod or container.",
    options: [
      {
        name: 'workload',
        value: 'KIND/NAME',
        help: "the pod's controller, e.g. Deployment/web (a bare pod: Pod/NAME)",
      },
      { name: 'pod', value: 'NAME', help: 'only this pod' },
      { name: 'container', short: 'c', value: 'NAME', help: 'only this container' },
      { name: 'node', value: 'NAME', help: 'only pods on this node' },
      { name: 'since', value: 'TIME', help: 'the range up to now: 30m, 1h, 24h (default 1h)' },
      { name: 'from', value: 'TIME', help: 'the range start: 2026-03-01T12:00:00Z or ms since the epoch' },
      { name: 'to', value: 'TIME', help: 'the range end (default: now)' },
      { name: 'format', value: 'FORMAT', help: `one of ${CONTINUOUS_FORMATS.join(', ')} (default: folded)` },
      { name: 'frequency', value: 'HZ', help: "pprof only: the windows' sampling frequency (default 19)" },
      {
        name: 'output',
        short: 'o',
        value: 'FILE',
        help: 'a new file to write (default: stdout; pprof needs one)',
      },
    ],
    notes: `A range is at most 7 days. Needs get on recordings in the namespace (furnace-viewer).\n\n${CREDENTIALS_NOTE}`,
  },
  ui: {
    name: 'ui',
    positionals: [],
    summary:
      'Serves the Furnace web UI on a local loopback port, forwarding each request through the API\nserver with your identity, and opens the browser.',
    options: [{ name: 'port', value: 'PORT', help: 'the local port (default: any free one)' }, NO_BROWSER],
    notes: `Runs until interrupted (Ctrl-C).\n\n${CREDENTIALS_NOTE}`,
  },
} satisfies Record<string, VerbSpec>;

const SYMBOLS_NOTE =
  'A file is known by its GNU build id (.note.gnu.build-id), read by the server from the file itself;\n' +
  "it names the frames of that build id in this namespace's recordings only. Uploading and deleting\n" +
  'need create and delete on recordings/symbols in the namespace (furnace-recorder); listing needs get\n' +
  `on recordings (furnace-viewer).\n\n${CREDENTIALS_NOTE}`;

/** `furnace symbols upload|list|delete`: a namespace's symbol files (docs/profilers.md). */
export const SYMBOL_VERBS = {
  upload: {
    name: 'symbols upload',
    positionals: ['<file>'],
    summary:
      'Uploads a debug file (objcopy --only-keep-debug) or an unstripped binary to the namespace, for its\nrecordings of the stripped binary of the same build id.',
    options: [NAMESPACE],
    notes: SYMBOLS_NOTE,
  },
  list: {
    name: 'symbols list',
    positionals: [],
    summary: "Lists the namespace's symbol files: build id, size, when uploaded and when they expire.",
    options: [NAMESPACE],
    notes: SYMBOLS_NOTE,
  },
  resymbolize: {
    name: 'symbols resymbolize',
    positionals: ['<recording-id>'],
    summary:
      "Asks the recording's recorder to symbolize it again from the perf.data it kept, with the symbols there\nare now (an upload, a debuginfod answer), and waits until its graphs are new.",
    options: [NAMESPACE],
    notes: `Needs create on recordings in the namespace (furnace-recorder), as a start.\n\n${CREDENTIALS_NOTE}`,
  },
  delete: {
    name: 'symbols delete',
    positionals: ['<build-id>'],
    summary: "Deletes the namespace's symbol file of a build id.",
    options: [NAMESPACE],
    notes: SYMBOLS_NOTE,
  },
} satisfies Record<string, VerbSpec>;
