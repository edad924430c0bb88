// Furnace's images, built from Dockerfile.server and Dockerfile.sidecar with podman (runc) from the stand-in
// node:24-bookworm-slim base (test/harness/images/build-base.sh: no registry here), and run as containers:
// what a user's cluster pulls and starts. A Dockerfile that no longer builds fails here, naming itself.
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BUNDLE_ENTRIES } from '../../core/contract/bundle-layout.ts';
import { OPERATOR_COMMAND } from '../../deploy/manifests/operator-deployment.ts';
import { eventually } from '../harness/eventually.ts';
import {
  buildImages,
  FURNACE_IMAGES,
  podman,
  startContainer,
  type ImageName,
} from '../harness/images/furnace-images.ts';
import { freePort } from '../harness/ports.ts';
import { run } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';

async function healthy(url: string): Promise<true | undefined> {
  const answer = await fetch(url).catch(() => undefined);
  return answer?.status === 200 ? true : undefined;
}

/**
 * One build per test: a cold build (the stand-in base, npm ci, apt) takes minutes, each under the tier's
 * ten-minute limit per test.
 */
function builds(name: ImageName): void {
  it(`${name}: Dockerfile.${name} builds and is tagged ${FURNACE_IMAGES[name]}`, async () => {
    const built = await buildImages([name]);
    assert.deepEqual(
      built.map((image) => image.name),
      [FURNACE_IMAGES[name]],
    );
    const { stdout } = await podman(['image', 'inspect', '--format', '{{.Id}}', FURNACE_IMAGES[name]]);
    assert.equal(stdout.trim(), built[0]?.id, 'the image tagged is the one just built');
  });
}

describe('the images, built from their Dockerfiles and run with podman', { concurrency: false }, () => {
  builds('server');

  it('the server image starts in local mode and answers /healthz', async (t) => {
    const port = await freePort();
    const server = startContainer(t, FURNACE_IMAGES.server, {
      runArgs: ['-e', `FURNACE_PORT=${port}`, '-e', 'FURNACE_DATA_DIR=/tmp/furnace-data'],
      command: ['--local'],
    });
    const url = `http://127.0.0.1:${port}/healthz`;
    await eventually(() => healthy(url), 60_000, `the server image's ${url}`).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${server.output()}`);
    });
    assert.equal(await server.stop(20_000), 0, server.output());
  });

  it("the server image runs the operator's command from deploy/base: it starts and tries its leader election", async (t) => {
    const dir = await tempDir(t, 'furnace-operator-image-');
    await chmod(dir, 0o755); // the image runs as uid 65532
    // A cluster that refuses connections: the operator's Kubernetes client is what reaches for it.
    await writeFile(
      join(dir, 'kubeconfig'),
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\n' +
        'users: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\n' +
        'current-context: c\n',
      { mode: 0o644 },
    );
    const [program = '', ...args] = OPERATOR_COMMAND;
    const operator = startContainer(t, FURNACE_IMAGES.server, {
      runArgs: ['-v', `${dir}:/config:ro`, '-e', 'KUBECONFIG=/config/kubeconfig', '--entrypoint', program],
      command: args,
    });
    await eventually(
      () =>
        Promise.resolve(
          /leader election round failed.*ECONNREFUSED|ECONNREFUSED.*leader election round failed/.test(
            operator.output(),
          ) || undefined,
        ),
      60_000,
      'a leader election round against the refused cluster',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${operator.output()}`);
    });
    assert.match(operator.output(), /"msg":"operator started"/);
    assert.equal(await operator.stop(20_000), 0, operator.output());
  });

  builds('sidecar');

  it('the sidecar image starts its bundle and answers /healthz', async (t) => {
    const [port, tlsPort] = [await freePort(), await freePort()];
    const { stdout: entrypoint } = await podman([
      'image',
      'inspect',
      '--format',
      '{{json .Config.Entrypoint}}',
      FURNACE_IMAGES.sidecar,
    ]);
    assert.deepEqual(JSON.parse(entrypoint), ['node', `dist/bundle/${BUNDLE_ENTRIES.sidecar.file}`]);
    const sidecar = startContainer(t, FURNACE_IMAGES.sidecar, {
      runArgs: [
        '-e',
        `FURNACE_SIDECAR_PORT=${port}`,
        '-e',
        `FURNACE_SIDECAR_TLS_PORT=${tlsPort}`,
        '-e',
        'FURNACE_SIDECAR_DATA=/tmp/furnace-sidecar',
      ],
    });
    const url = `http://127.0.0.1:${port}/healthz`;
    await eventually(() => healthy(url), 60_000, `the sidecar image's ${url}`).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${sidecar.output()}`);
    });
    assert.equal(await sidecar.stop(20_000), 0, sidecar.output());
  });

  it('the sidecar image runs perf, bpftrace and podman', async () => {
    const { stdout } = await podman([
      'run',
      '--rm',
      '--network=none',
      '--entrypoint',
      'sh',
      FURNACE_IMAGES.sidecar,
      '-c',
      'perf --version && bpftrace --version && podman --version && stdbuf --version && setpriv --version',
    ]);
    assert.match(stdout, /^perf version \d+\.\d+/m);
    assert.match(stdout, /^bpftrace v\d+\.\d+/m);
    assert.match(stdout, /^podman version \d+\.\d+/m);
    assert.match(stdout, /^stdbuf \(GNU coreutils\)/m);
    assert.match(stdout, /^setpriv from util-linux/m);
  });

  it('in the sidecar image, privileged as injected, perf records a program and bpftrace runs one', async () => {
    const busy = 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done';
    const script =
      `perf record -q -e cpu-clock -F 99 -g -o /tmp/perf.data -- sh -c '${busy}' && ` +
      'perf script -i /tmp/perf.data | head -n 20 && ' +
      `bpftrace -e 'BEGIN { printf("bpftrace ran\\n"); exit(); }'`;
    const { stdout } = await podman([
      'run',
      '--rm',
      '--privileged',
      '--network=none',
      '--entrypoint',
      'sh',
      FURNACE_IMAGES.sidecar,
      '-c',
      script,
    ]);
    assert.match(stdout, /^sh\s+\d+\s+[\d.]+:\s+\d+ cpu-clock:/m, 'a sample of the recorded shell');
    assert.match(stdout, /^bpftrace ran$/m);
  });

  it('podman in the sidecar image (privileged, as injected) loads, creates and mounts an image, as `symbols: image` does', async (t) => {
    const dir = await tempDir(t, 'furnace-sidecar-podman-');
    await mkdir(join(dir, 'root', 'usr', 'bin'), { recursive: true });
    await writeFile(join(dir, 'root', 'usr', 'bin', 'app'), 'the target image\n');
    await run('tar', ['-C', join(dir, 'root'), '-cf', join(dir, 'root.tar'), '.']);
    const target = `localhost/furnace/target-${process.pid}:test`;
    await podman(['import', '--quiet', join(dir, 'root.tar'), target]);
    t.after(() => podman(['rmi', '--force', target]).then(() => undefined));
    await podman(['save', '--quiet', '--format', 'docker-archive', '-o', join(dir, 'target.tar'), target]);
    // The webhook gives the sidecar an emptyDir at /var/lib/containers for podman's storage.
    await mkdir(join(dir, 'storage'));
    const script =
      `podman load --quiet -i /work/target.tar && id=$(podman create ${target} /usr/bin/app) && ` +
      'root=$(podman mount "$id") && cat "$root/usr/bin/app" && podman rm --force "$id" >/dev/null';
    const { stdout, stderr } = await podman([
      'run',
      '--rm',
      '--privileged',
      '--network=none',
      '-v',
      `${dir}:/work`,
      '-v',
      `${join(dir, 'storage')}:/var/lib/containers`,
      '--entrypoint',
      'sh',
      FURNACE_IMAGES.sidecar,
      '-c',
      script,
    ]);
    assert.match(stdout, /^the target image$/m);
    assert.doesNotMatch(stderr, /level=(warning|error)/, stderr);
  });
});
