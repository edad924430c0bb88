// A small Dockerfile reader for the image checks: stages, instructions (continuation lines joined), COPY
// sources and the programs each RUN starts.

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

/** Stages in order; comments and blank lines dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ base: from?.[1] ?? args, ...(from?.[2] ? { name: from[2] } : {}), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

export interface CopySource {
  from?: string;
  sources: string[];
  destination: string;
}

export function copySources(instruction: Instruction): CopySource {
  const words = instruction.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
}

/** The program of each command in a shell RUN line (`a && b | c; d`), environment assignments skipped. */
export function runPrograms(instruction: Instruction): string[] {
  return instruction.args
    .split(/&&|\|\||[|;]/)
    .map((command) =>
      command
        .trim()
        .split(/\s+/)
        .find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)),
    )
    .filter((program): program is string => program !== undefined && program !== '');
}

/** Debian packages a RUN line installs with apt-get install. */
export function aptInstalled(instruction: Instruction): string[] {
  return instruction.args
    .split(/&&|;/)
    .map((command) => command.trim().split(/\s+/))
    .filter((words) => words[0] === 'apt-get' && words.includes('install'))
    .flatMap((words) => words.slice(words.indexOf('install') + 1).filter((w) => !w.startsWith('-')));
}
