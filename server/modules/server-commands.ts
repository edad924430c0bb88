// The server entry's one command besides serving: `catalog migrate`, which moves a single replica's
// filesystem catalog into the bucket of storage.s3 with the server's own catalog, storage and config
// code (`node dist/server/main.js catalog migrate`; in the image `node dist/bundle/server.mjs catalog
// migrate`). Loaded only when asked for, so serving never loads it.
import type { Writable } from 'node:stream';

export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
}

/** The exit code of the command argv names, or undefined when argv names none (the server serves). */
export async function runServerCommand(
  argv: readonly string[],
  io: CommandIo,
  env: Record<string, string | undefined>,
): Promise<number | undefined> {
  if (argv[0] !== 'catalog') return undefined;
  const { run } = await import('../catalog/migrate/migrate-command.ts');
  return run(argv.slice(1), io, env);
}
