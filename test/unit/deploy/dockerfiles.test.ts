// The two images, read as text: every COPY source exists, every RUN program is in the base image or
// installed before it in that stage, the server runs as a non-root user, builds the UI in a build stage and
// carries the operator's entry point. Both final stages install no npm package and run bundles; the
// sidecar's keeps every Debian package it installs among those its pruning keeps whole. test/node/images.test.ts
// builds both with podman and runs them; test/process/server-bundle.test.ts runs the server's files.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BUNDLE_DIR, BUNDLE_ENTRIES, bundleCommand } from '../../../core/contract/bundle-layout.ts';
import { OPERATOR_COMMAND } from '../../../deploy/manifests/operator-deployment.ts';
import { execFileSync } from '../../harness/child-processes.ts';
import {
  aptInstalled,
  copySources,
  parseDockerfile,
  runPrograms,
  type Stage,
} from '../../harness/dockerfile.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const NODE_BASE = 'docker.io/library/node:24-bookworm-slim';
/** What the node:24-bookworm-slim image has on its PATH that these Dockerfiles use (Debian + Node). */
const BASE_PROGRAMS: Readonly<Record<string, readonly string[]>> = {
  [NODE_BASE]: [
    'node',
    'npm',
    'npx',
    'apt-get',
    'dpkg-query',
    'sort',
    'bash',
    'rm',
    'mkdir',
    'cp',
    'ln',
    'sh',
    'test',
    'true',
  ],
};
/** Programs of the Debian packages the sidecar installs (what its code starts). */
const PACKAGE_PROGRAMS: Readonly<Record<string, readonly string[]>> = {
  'linux-perf': ['perf'],
  bpftrace: ['bpftrace'],
  podman: ['podman'],
  conmon: ['conmon'],
  crun: ['crun'],
  'golang-github-containers-common': [],
  'fuse-overlayfs': ['fuse-overlayfs'],
  'ca-certificates': ['update-ca-certificates'],
};

function read(name: string): Stage[] {
  return parseDockerfile(readFileSync(join(PROJECT_ROOT, name), 'utf8'));
}

function packageScripts(): Record<string, string> {
  return (
    JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
}

for (const name of ['Dockerfile.server', 'Dockerfile.sidecar']) {
  describe(name, () => {
    const stages = read(name);

    it('is multi-stage: a build stage compiles, the final stage copies its output', () => {
      assert.ok(stages.length >= 2, `${stages.length} stage(s)`);
      const last = stages.at(-1);
      assert.ok(
        last?.instructions.some((i) => i.keyword === 'COPY' && copySources(i).from === stages[0]?.name),
      );
      assert.ok(stages[0]?.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm run build')));
    });

    it('copies only files that exist in the repository, or from an earlier stage', () => {
      stages.forEach((stage, index) => {
        for (const copy of stage.instructions.filter((i) => i.keyword === 'COPY').map(copySources)) {
          if (copy.from !== undefined) {
            const earlier = stages.slice(0, index).map((s) => s.name);
            assert.ok(earlier.includes(copy.from), `--from=${copy.from} names an earlier stage`);
            continue;
          }
          for (const source of copy.sources)
            assert.ok(existsSync(join(PROJECT_ROOT, source)), `COPY ${source}: not in the repository`);
        }
      });
    });

    it('runs only programs of its base image or installed earlier in the stage, and npm scripts that exist', () => {
      const scripts = packageScripts();
      for (const stage of stages) {
        const available = new Set(
          BASE_PROGRAMS[stage.base] ?? assert.fail(`unknown base image ${stage.base}`),
        );
        for (const run of stage.instructions.filter((i) => i.keyword === 'RUN')) {
          // A RUN line may install packages and then run their programs (the sidecar checks they start).
          for (const pkg of aptInstalled(run))
            for (const program of PACKAGE_PROGRAMS[pkg] ?? assert.fail(`unknown package ${pkg}`))
              available.add(program);
          for (const program of runPrograms(run))
            assert.ok(available.has(program), `${program} in: RUN ${run.args}`);
          for (const match of run.args.matchAll(/npm run ([\w:-]+)/g))
            assert.ok(match[1] && scripts[match[1]], `npm run ${match[1]} is not a script`);
        }
      }
    });
  });
}

describe('Dockerfile.sidecar', () => {
  const final = read('Dockerfile.sidecar').at(-1);
  const runs = final?.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args) ?? [];

  it('installs no npm package in the final stage and runs the sidecar bundle with node', () => {
    assert.deepEqual(
      runs.filter((args) => /\bnpm (ci|install)\b/.test(args)),
      [],
    );
    const entrypoint = final?.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.args ?? '';
    assert.deepEqual(JSON.parse(entrypoint), bundleCommand('sidecar'));
    const copied = final?.instructions
      .filter((i) => i.keyword === 'COPY' && copySources(i).from !== undefined)
      .flatMap((i) => copySources(i).sources);
    // Bundles only (no dist/ tree, no node_modules), the sidecar's among them.
    const bundleFiles = [...Object.values(BUNDLE_ENTRIES).map((e) => e.file), 'THIRD-PARTY-NOTICES.txt'];
    assert.ok(copied?.includes(`/src/${BUNDLE_DIR}/${BUNDLE_ENTRIES.sidecar.file}`), String(copied));
    for (const source of copied ?? [])
      assert.ok(
        bundleFiles.some((file) => source === `/src/${BUNDLE_DIR}/${file}`),
        `${source} is a bundle`,
      );
    assert.doesNotMatch(JSON.stringify(final), /tsx/);
  });

  it('keeps whole every package it installs, without recommends, and leaves no apt lists behind', () => {
    const install =
      runs.find((args) => args.includes('apt-get install')) ?? assert.fail('no apt-get install');
    assert.match(install, /--no-install-recommends/);
    const installed = aptInstalled({ keyword: 'RUN', args: install });
    const prune = /prune-packages\.sh \S+((?: --drop \S+)*)((?: [\w.+-]+)+)/.exec(install);
    assert.ok(prune, 'the install is pruned by prune-packages.sh');
    assert.deepEqual(prune[2]?.trim().split(' '), installed, 'the packages the pruning keeps whole');
    assert.match(install, /rm -rf \/var\/lib\/apt\/lists\/\*/);
  });
});

describe('production dependencies (what npm ci --omit=dev installs)', () => {
  it('hold no TypeScript runner, bundler, compiler, browser driver, linter, formatter or protobuf generator', () => {
    const listed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    const names = new Set(listed.split('\n').map((path) => path.split('node_modules/').at(-1) ?? ''));
    const devOnly = ['tsx', 'esbuild', 'playwright', 'typescript', 'eslint', 'prettier', '@bufbuild/buf'];
    assert.deepEqual(
      devOnly.filter((name) => names.has(name)),
      [],
    );
    assert.ok(names.has('fastify') && names.has('@peculiar/x509'), 'the list is the real one');
  });

  it('npm start runs the compiled server, and the package ships dist/ without the build cache or the image bundles', () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      files: string[];
    };
    assert.match(
      manifest.scripts.start ?? '',
      /^bash scripts\/with-node24\.sh node dist\/server\/main\.js\b/,
    );
    assert.match(manifest.scripts.prestart ?? '', /npm run build\b/);
    assert.deepEqual(manifest.files, ['dist/', '!dist/tsconfig.build.tsbuildinfo', `!${BUNDLE_DIR}/`]);
  });
});

describe('Dockerfile.server', () => {
  const stages = read('Dockerfile.server');
  const build = stages[0];
  const final = stages.at(-1);

  it('runs as a numeric non-root user', () => {
    const user = final?.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args ?? '';
    const uid = Number(user.split(':')[0]);
    assert.ok(Number.isInteger(uid) && uid > 0, `USER ${user}`);
  });

  it('builds the UI in the build stage and ships ui/dist', () => {
    assert.ok(build?.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm run build:ui')));
    assert.ok(
      final?.instructions.some(
        (i) => i.keyword === 'COPY' && copySources(i).sources.includes('/src/ui/dist'),
      ),
    );
  });

  const copiesBundles = (): boolean =>
    final?.instructions.some(
      (i) => i.keyword === 'COPY' && copySources(i).sources.includes(`/src/${BUNDLE_DIR}`),
    ) ?? false;

  it('bundles in the build stage; the final stage installs nothing and runs the bundle with node', () => {
    assert.ok(
      build?.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm run build:server-bundle')),
    );
    assert.ok(copiesBundles(), `the final stage copies /src/${BUNDLE_DIR}`);
    const runs = final?.instructions.filter((i) => i.keyword === 'RUN') ?? [];
    assert.deepEqual(runs, [], 'no node_modules: the bundles carry their packages');
    const entrypoint = final?.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.args ?? '';
    assert.deepEqual(JSON.parse(entrypoint), bundleCommand('server'));
    assert.doesNotMatch(JSON.stringify(final), /tsx/);
  });

  it("carries the operator's entry point that deploy/base starts", () => {
    // OPERATOR_COMMAND is `node dist/bundle/operator.mjs`: operator/ is copied in and bundled.
    assert.deepEqual(OPERATOR_COMMAND, ['node', 'dist/bundle/operator.mjs']);
    assert.equal(BUNDLE_ENTRIES.operator.source, 'operator/main.ts');
    for (const part of ['operator', 'server', 'core', 'kube', 'sidecar'])
      assert.ok(
        build?.instructions.some((i) => i.keyword === 'COPY' && copySources(i).sources.includes(part)),
        `the build stage copies ${part}/`,
      );
    assert.ok(copiesBundles());
  });
});
