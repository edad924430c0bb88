import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import {
  parseBuildIdList,
  renderRegistriesConf,
  resolveAuthFile,
} from '../../../sidecar/symbols/image-symbols.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

describe('image symbols helpers', () => {
  it('reads the binaries perf buildid-list names, leaving out the kernel and vdso', () => {
    const text = [
      '4a5a9b0affb66c437abcd455d2738af879985fa9 [kernel.kallsyms]',
      '61070d90828263d189767b924a40a3e928c3ad37 /app/bin/server',
      'e95baaeaec8534edc5df3654182ddf12b19d9b23 [vdso]',
      'c842848c42b8e75d3f62f7beb1030bd5e3a224b0 /usr/lib/x86_64-linux-gnu/libc.so.6',
      '',
    ].join('\n');
    assert.deepEqual(parseBuildIdList(text), [
      { buildId: '61070d90828263d189767b924a40a3e928c3ad37', path: '/app/bin/server' },
      { buildId: 'c842848c42b8e75d3f62f7beb1030bd5e3a224b0', path: '/usr/lib/x86_64-linux-gnu/libc.so.6' },
    ]);
  });

  it('writes mirrors and insecure registries into registries.conf', () => {
    const conf = renderRegistriesConf({ 'docker.io': ['mirror.local:5000'] }, [
      '127.0.0.1:5001',
      'mirror.local:5000',
    ]);
    assert.match(
      conf,
      /\[\[registry\]\]\nprefix = "docker.io"\nlocation = "docker.io"\ninsecure = false\n\[\[registry.mirror\]\]\nlocation = "mirror.local:5000"\ninsecure = true/,
    );
    assert.match(conf, /prefix = "127.0.0.1:5001"\nlocation = "127.0.0.1:5001"\ninsecure = true/);
  });

  it('merges a directory of pull secrets into one private auth file, and passes a single file through', async (t) => {
    const dir = await tempDir(t, 'furnace-auth-');
    await mkdir(`${dir}/secrets`);
    await writeFile(
      `${dir}/secrets/a.dockerconfigjson`,
      JSON.stringify({ auths: { 'r1.example': { auth: 'YTpi' } } }),
    );
    await writeFile(
      `${dir}/secrets/b.dockerconfigjson`,
      JSON.stringify({ auths: { 'r1.example': { auth: 'eDp5' }, 'r2.example': { auth: 'Yzpk' } } }),
    );
    await writeFile(`${dir}/secrets/broken.dockerconfigjson`, '{');
    const merged = await resolveAuthFile(`${dir}/secrets`, dir);
    assert.equal(merged, `${dir}/auth.json`);
    assert.deepEqual(JSON.parse(await readFile(`${dir}/auth.json`, 'utf8')), {
      auths: { 'r1.example': { auth: 'YTpi' }, 'r2.example': { auth: 'Yzpk' } },
    });
    assert.equal((await stat(`${dir}/auth.json`)).mode & 0o777, 0o600);
    assert.equal(
      await resolveAuthFile(`${dir}/secrets/a.dockerconfigjson`, dir),
      `${dir}/secrets/a.dockerconfigjson`,
    );
    assert.equal(await resolveAuthFile(`${dir}/absent`, dir), undefined);
    assert.equal(await resolveAuthFile(undefined, dir), undefined);
  });
});
