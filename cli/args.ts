// Argument parsing for the verbs that talk to a cluster: a small declarative table of options per verb,
// `--name value`, `--name=value`, `-n value` and `-nvalue`; unknown options are refused with a message.
// Pure: nothing here reads the environment or writes anywhere.

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
  { name: 'help', short: 'h', flag: true, help: 'show this help' },
];

function find(spec: VerbSpec, name: string, short: boolean): OptionSpec | undefined {
  return [...spec.options, ...CONNECTION_OPTIONS].find((o) => (short ? o.short === name : o.name === name));
}

/** Parses argv (after the verb) against the verb's options. Throws UsageError naming what is wrong. */
export function parseArgs(spec: VerbSpec, argv: string[]): Parsed {
  const parsed: Parsed = { options: {}, positionals: [] };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(index + 1));
      break;
    }
    const long = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    const short = long ? null : /^-([A-Za-z])(.*)$/s.exec(arg);
    if (!long && !short) {
      parsed.positionals.push(arg);
      continue;
    }
    const name = (long?.[1] ?? short?.[1]) as string;
    const option = find(spec, name, !long);
    const shown = long ? `--${name}` : `-${name}`;
    if (!option) throw new UsageError(`unknown option ${shown} for 'furnace ${spec.name}' (see --help)`);
    const inline = long ? long[2] : short?.[2] === '' ? undefined : short?.[2];
    if (option.flag) {
      if (inline !== undefined) throw new UsageError(`option ${shown} takes no value`);
      parsed.options[option.name] = true;
      continue;
    }
    const value = inline ?? argv[index + 1];
    if (value === undefined || (inline === undefined && value.startsWith('-') && value !== '-'))
      throw new UsageError(`option ${shown} needs a value (${option.value ?? 'VALUE'})`);
    if (inline === undefined) index += 1;
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
