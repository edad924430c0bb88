// The TLS material of a pprof recording: read from the directory `pprof.tls.secret` names under the one
// root the sidecar's configuration fixes (a mounted secret: tls.crt, tls.key, ca.crt). The request gives a
// name, never a path; the name's pattern (core/contract/recording-params.ts) admits no `/` and no leading dot.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { SECRET_NAME_PATTERN, type PprofTls } from '../../../core/contract/recording-params.ts';
import type { TlsMaterial } from './pprof-fetch.ts';

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function refuse(value: string, allowed: string): FurnaceError {
  return new FurnaceError('ERR_INVALID_PARAMETER', `pprof.tls.secret "${value}": ${allowed}`, {
    field: 'pprof.tls.secret',
    value,
    allowed,
  });
}

/** Reads the client certificate, key and CA a recording names; throws a 400 naming what is missing. */
export async function readPprofTls(
  root: string,
  tls: PprofTls | undefined,
): Promise<TlsMaterial | undefined> {
  if (tls === undefined) return undefined;
  const material: TlsMaterial = tls.serverName === undefined ? {} : { serverName: tls.serverName };
  const name = tls.secret;
  if (name === undefined) return material;
  if (!new RegExp(SECRET_NAME_PATTERN).test(name)) throw refuse(name, 'must be a secret name, not a path');
  const dir = join(root, name);
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir)
    throw refuse(name, `no such secret is mounted in the recorder (under ${root}); see docs/profilers.md`);
  const [cert, key, ca] = await Promise.all(
    ['tls.crt', 'tls.key', 'ca.crt'].map((file) => readOptional(join(dir, file))),
  );
  if ((cert === undefined) !== (key === undefined))
    throw refuse(name, 'holds one of tls.crt and tls.key without the other');
  if (cert === undefined && ca === undefined)
    throw refuse(name, 'holds neither tls.crt and tls.key nor ca.crt');
  return {
    ...material,
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(ca === undefined ? {} : { ca }),
  };
}
