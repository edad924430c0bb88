// A second user of this machine, for tests of what one local user can take from another: a system user
// made once (useradd), commands run as it with setpriv, and a loopback HTTP listener of its own that keeps
// every request head it receives. The listener is Perl (in every Debian), since this user cannot reach
// the test's Node under /root.
import { chown, chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { eventually } from './eventually.ts';
import { freePort } from './ports.ts';
import { run, startProcess } from './processes.ts';
import { tempDir } from './temp-dirs.ts';

export const OTHER_USER = 'furnace-other';

export interface OtherUser {
  uid: number;
  gid: number;
}

/** The other user, made on first use. */
export async function otherUser(): Promise<OtherUser> {
  const id = async (flag: string): Promise<number> =>
    Number((await run('id', [flag, OTHER_USER])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER_USER]);
    return { uid: await id('-u'), gid: await id('-g') };
  }
}

/** setpriv's arguments that run `command` as the other user, with no group of the caller's. */
function asUser(user: OtherUser, command: string[]): string[] {
  return [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', ...command];
}

/** Runs a shell command as the other user; resolves with its stdout, rejects when it fails. */
export async function runAs(user: OtherUser, script: string): Promise<string> {
  return (await run('setpriv', asUser(user, ['/bin/sh', '-c', script]), { maxBuffer: 64 << 20 })).stdout;
}

const LISTENER = `use strict; use IO::Socket::INET;
my ($port, $out) = @ARGV;
my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port, Listen => 16, ReuseAddr => 1)
  or die "listen: $!";
$| = 1; print "listening\\n";
while (my $client = $server->accept) {
  my $head = '';
  while (my $line = <$client>) { $head .= $line; last if $line =~ /^\\r?\\n$/; }
  open(my $file, '>>', $out) or die "open: $!"; print $file $head; close $file;
  print $client "HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok";
  close $client;
}
`;

export interface OtherListener {
  port: number;
  /** Every request head received so far. */
  received(): Promise<string>;
}

/** An HTTP listener on a loopback port, run as the other user, keeping what browsers send it. */
export async function listenAs(t: TestContext, user: OtherUser): Promise<OtherListener> {
  const dir = await tempDir(t, 'furnace-other-');
  await chmod(dir, 0o755);
  await chown(dir, user.uid, user.gid);
  const script = join(dir, 'listener.pl');
  const capture = join(dir, 'received');
  await writeFile(script, LISTENER, { mode: 0o644 });
  await writeFile(capture, '', { mode: 0o600 });
  await chown(capture, user.uid, user.gid);
  const port = await freePort();
  const listener = startProcess(t, 'setpriv', asUser(user, ['/usr/bin/perl', script, String(port), capture]));
  await eventually(
    () => Promise.resolve(listener.output().includes('listening') || undefined),
    10_000,
    `the other user's listener on port ${port}: ${listener.output()}`,
  );
  return { port, received: () => readFile(capture, 'utf8') };
}
