// Argument parsing for the verbs that talk to a cluster: a small declarative table of options per verb,
// `--name value`, `--name=value`, `-n value` and `-nvalue`; unknown options are refused with a message.
// Pure: nothing here reads the environment or writes anywhere.
import { parseArgs as splitArgs } from 'node:util';

export interface OptionSpec {
  /** Long name without dashes, e.g. `namespace`. */
  name: string;
  /** One-letter alias, e.g. `n`. */
  short?: string;
  /** A flag takes no value. */
  flag?: boolean;
  /** Shown in help: the value's placeholder and what the option does. */
  value?: string;
  help: string;
}

export interface VerbSpec {
  name: string;
  /** The positional arguments, as shown in usage, e.g. `<pod>`. */
  positionals: string[];
  summary: string;
  options: OptionSpec[];
  /** Extra help text after the options. */
  notes?: string;
}

export interface Parsed {
  options: Record<string, string | true>;
  positionals: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Options every cluster verb takes: how to reach the API server. */
export const CONNECTION_OPTIONS: OptionSpec[] = [
  {
    name: 'kubeconfig',
    value: 'FILE',
    help: 'the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)',
  },
  { name: 'context', value: 'NAME', help: "the kubeconfig context (default: the kubeconfig's current one)" },
  {
    name: 'server',
    value: 'URL',
    help: 'a Furnace server to call directly instead of the cluster (a local one: http://127.0.0.1:8080)',
  },
  {
    name: 'key-file',
    value: 'FILE',
    help: 'with --server: the file holding its key (default: $FURNACE_KEY, then .furnace-data/local-key)',
  },
  { name: 'help', short: 'h', flag: true, help: 'show this help' },
];

/**
 * Parses argv (after the verb) against the verb's options. node:util's parseArgs splits the words (`--name
 * value`, `--name=value`, `-n value`, `-nvalue`, `--`); the checks and their messages are ours. Throws
 * UsageError naming what is wrong.
 */
export function parseArgs(spec: VerbSpec, argv: string[]): Parsed {
  const all = [...spec.options, ...CONNECTION_OPTIONS];
  const config = Object.fromEntries(
    all.map(
      (o) =>
        [o.name, { type: o.flag ? 'boolean' : 'string', ...(o.short ? { short: o.short } : {}) }] as const,
    ),
  );
  const { tokens } = splitArgs({
    args: argv,
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const parsed: Parsed = { options: {}, positionals: [] };
  for (const token of tokens) {
    if (token.kind === 'positional') parsed.positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const option = all.find((o) => o.name === token.name);
    const shown = token.rawName;
    if (!option) throw new UsageError(`unknown option ${shown} for 'furnace ${spec.name}' (see --help)`);
    if (option.flag) {
      if (token.value !== undefined) throw new UsageError(`option ${shown} takes no value`);
      parsed.options[option.name] = true;
      continue;
    }
    const { value } = token;
    if (value === undefined || (!token.inlineValue && value.startsWith('-') && value !== '-'))
      throw new UsageError(`option ${shown} needs a value (${option.value ?? 'VALUE'})`);
    parsed.options[option.name] = value;
  }
  return parsed;
}

/** The value of a string option, or undefined. */
export function optionText(parsed: Parsed, name: string): string | undefined {
  const value = parsed.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** Exactly the positionals the verb declares; names the missing or extra ones. */
export function requirePositionals(spec: VerbSpec, parsed: Parsed): string[] {
  const wanted = spec.positionals;
  if (parsed.positionals.length < wanted.length)
    throw new UsageError(`'furnace ${spec.name}' needs ${wanted.slice(parsed.positionals.length).join(' ')}`);
  if (parsed.positionals.length > wanted.length)
    throw new UsageError(
      `'furnace ${spec.name}' takes ${wanted.length === 0 ? 'no arguments' : wanted.join(' ')}; unexpected ${parsed.positionals.slice(wanted.length).join(' ')}`,
    );
  return parsed.positionals;
}

/** `30s`, `2m`, `1h`, `90` (seconds), `1m30s` → seconds. Throws UsageError naming the value. */
export function parseDuration(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text.trim());
  const [hours, minutes, seconds] = [match?.[1], match?.[2], match?.[3]].map((part) => Number(part ?? 0));
  const total = (hours ?? 0) * 3600 + (minutes ?? 0) * 60 + (seconds ?? 0);
  if (!match || text.trim() === '' || !Number.isSafeInteger(total) || total < 1)
    throw new UsageError(
      `duration ${JSON.stringify(text)} is not a positive duration such as 30s, 2m or 1m30s`,
    );
  return total;
}

/** The verb's help: usage line, summary, options with placeholders, notes. */
export function helpText(spec: VerbSpec): string {
  const lines = [
    `usage: furnace ${spec.name}${spec.positionals.map((p) => ` ${p}`).join('')} [options]`,
    '',
    spec.summary,
    '',
    'options:',
  ];
  for (const option of [...spec.options, ...CONNECTION_OPTIONS]) {
    const names = `${option.short ? `-${option.short}, ` : '    '}--${option.name}${option.value ? ` ${option.value}` : ''}`;
    lines.push(`  ${names.padEnd(30)} ${option.help}`);
  }
  if (spec.notes) lines.push('', spec.notes);
  return `${lines.join('\n')}\n`;
}
