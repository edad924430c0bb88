// HotSpot's attach protocol, spoken directly (what `jcmd` does, without a JDK in the recorder): a trigger file
// `.attach_pid<nspid>` and SIGQUIT make the JVM open the socket `/tmp/.java_pid<nspid>` in its own mount
// namespace, reached here through /proc/PID/root; a request there runs a diagnostic command. jcmd itself
// cannot do this from a sidecar: with PIDs shared (shareProcessNamespace) it looks for the socket in its own
// /tmp. The JVM accepts a connection from root or its own user; the recorder runs as root.
import { connect } from 'node:net';
import { constants } from 'node:fs';
import { lstat, open, readFile, rm } from 'node:fs/promises';
import { resolveInRoot } from '../../host/safe-copy.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export interface JvmProcess {
  /** PID as the recorder sees it. */
  pid: number;
  /** PID inside the JVM's own PID namespace (names its socket and trigger files). */
  nspid: number;
}

export interface AttachOptions {
  procRoot?: string;
  /** How long the JVM gets to open its attach socket after SIGQUIT, ms. */
  startTimeoutMs?: number;
  /** How long a command may take to answer, ms. */
  replyTimeoutMs?: number;
  kill?: (pid: number, signal: NodeJS.Signals) => void;
}

export class AttachError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttachError';
  }
}

/** Whether a process catches SIGQUIT (`SigCgt` in /proc/PID/status). A JVM run with -Xrs does not: SIGQUIT would end it. */
export function catchesSigquit(statusText: string): boolean {
  const line = /^SigCgt:\s*([0-9a-fA-F]+)\s*$/m.exec(statusText);
  if (line?.[1] === undefined) return false;
  const mask = BigInt(`0x${line[1]}`);
  return (mask & (1n << 2n)) !== 0n; // SIGQUIT is signal 3: bit 2
}

/** The request of protocol version 1: the command and exactly three arguments, each NUL-terminated. */
export function attachRequest(command: string, args: readonly string[]): Buffer {
  const padded = [...args, '', '', ''].slice(0, 3);
  return Buffer.from(['1', command, ...padded].map((part) => `${part}\0`).join(''), 'utf8');
}

/** A reply: its first line is the JVM's result code (0 when the command ran), the rest is the command's output. */
export function parseAttachReply(text: string): { code: number; output: string } {
  const newline = text.indexOf('\n');
  const head = newline < 0 ? text : text.slice(0, newline);
  const code = /^-?\d+$/.test(head.trim()) ? Number(head.trim()) : Number.NaN;
  return { code, output: newline < 0 ? '' : text.slice(newline + 1) };
}

/** Whether `path` is a socket itself: a link named like the socket (to another socket) does not count. */
async function isSocket(path: string): Promise<boolean> {
  return lstat(path).then(
    (info) => info.isSocket(),
    () => false,
  );
}

/**
 * Creates the empty trigger file in `dir`, never through a link and never over an existing file: the
 * container owns the directory, and a link it planted there would otherwise make root truncate or create
 * a file of the recorder's choosing. Answers the path, or undefined when it could not be created.
 */
async function createTrigger(dir: string, name: string): Promise<string | undefined> {
  const path = `${dir}/${name}`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  try {
    await (await open(path, flags, 0o600)).close();
    return path;
  } catch {
    return undefined;
  }
}

/** Makes the JVM open its attach socket, unless it has one already; returns the socket's path. */
async function openAttachSocket(jvm: JvmProcess, options: AttachOptions): Promise<string> {
  const proc = `${options.procRoot ?? '/proc'}/${jvm.pid}`;
  // The target's /tmp resolved inside its own root: a /tmp that links elsewhere stays in the container.
  const tmp = await resolveInRoot(`${proc}/root`, '/tmp');
  const socket = `${tmp}/.java_pid${jvm.nspid}`;
  if (await isSocket(socket)) return socket;
  const status = await readFile(`${proc}/status`, 'utf8').catch(() => '');
  if (!catchesSigquit(status)) {
    throw new AttachError(
      'it does not handle SIGQUIT (started with -Xrs?), so asking it would end it; not attached',
    );
  }
  // The JVM looks for the trigger in its working directory (the kernel's own link to it), then in its /tmp.
  const name = `.attach_pid${jvm.nspid}`;
  const trigger = (await createTrigger(`${proc}/cwd`, name)) ?? (await createTrigger(tmp, name));
  if (trigger === undefined)
    throw new AttachError(`${name} could not be created in its working directory or its /tmp`);
  try {
    (options.kill ?? process.kill)(jvm.pid, 'SIGQUIT');
    const deadline = Date.now() + (options.startTimeoutMs ?? 5000);
    while (Date.now() < deadline) {
      if (await isSocket(socket)) return socket;
      await sleep(100);
    }
  } finally {
    await rm(trigger, { force: true });
  }
  throw new AttachError(
    `it opened no attach socket within ${options.startTimeoutMs ?? 5000} ms (attach disabled with -XX:+DisableAttachMechanism?)`,
  );
}

function request(socket: string, body: Buffer, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = connect({ path: socket });
    const chunks: Buffer[] = [];
    let size = 0;
    connection.setTimeout(timeoutMs, () =>
      connection.destroy(new AttachError(`no answer within ${timeoutMs} ms`)),
    );
    connection.on('connect', () => connection.end(body));
    connection.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 64 * 1024) chunks.push(chunk); // the reply's start says it all
    });
    connection.on('error', (error) => reject(new AttachError(error.message)));
    connection.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * Runs a diagnostic command (`Compiler.perfmap`, …) in a JVM as `jcmd <pid> <command>` would; returns its
 * output, or throws AttachError saying why the JVM did not run it.
 */
export async function runJvmCommand(
  jvm: JvmProcess,
  command: string,
  options: AttachOptions = {},
): Promise<string> {
  const socket = await openAttachSocket(jvm, options);
  const reply = await request(socket, attachRequest('jcmd', [command]), options.replyTimeoutMs ?? 10_000);
  const { code, output } = parseAttachReply(reply);
  const text = output.trim();
  if (code !== 0 || /Exception|Unknown diagnostic command/.test(text)) {
    const why = text === '' ? `result ${Number.isNaN(code) ? 'missing' : code}` : text.split('\n')[0];
    throw new AttachError(`it refused ${command}: ${why ?? ''}`);
  }
  return text;
}
