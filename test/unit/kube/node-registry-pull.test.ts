// The pure parts of the test node's private registry (test/harness/node/node-registry.ts) and of
// bench:pod-start's pulled variant (test/bench/pod-start-pull.ts): containerd's hosts.toml for the registry,
// which of containerd's image references are the image the bench pushed (it removes those and no other),
// and the kubelet's `Pulled` event.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  exitedContainersOf,
  parseGoDuration,
  parsePulledMessage,
  pushedImageRefs,
} from '../../bench/pod-start-pull.ts';
import { renderHostsToml } from '../../harness/node/node-registry.ts';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const ID1 = `sha256:${'a'.repeat(64)}`;
const ID2 = `sha256:${'b'.repeat(64)}`;
const REPO = '10.217.0.1:40001/furnace-bench/sidecar';

// `ctr -n k8s.io images ls` as containerd 1.6 prints it (sizes have a space in them).
const LISTING = [
  'REF TYPE DIGEST SIZE PLATFORMS LABELS',
  `${REPO}:1764150000000 application/vnd.docker.distribution.manifest.v2+json ${D1} 160.2 MiB linux/amd64 io.cri-containerd.image=managed`,
  `${REPO}@${D1} application/vnd.docker.distribution.manifest.v2+json ${D1} 160.2 MiB linux/amd64 io.cri-containerd.image=managed`,
  `${ID1} application/vnd.docker.distribution.manifest.v2+json ${D1} 160.2 MiB linux/amd64 io.cri-containerd.image=managed`,
  `localhost/furnace/server:test application/vnd.docker.distribution.manifest.v2+json ${D2} 90.1 MiB linux/amd64 io.cri-containerd.image=managed`,
  `${ID2} application/vnd.docker.distribution.manifest.v2+json ${D2} 90.1 MiB linux/amd64 io.cri-containerd.image=managed`,
  `${REPO}-other:1 application/vnd.docker.distribution.manifest.v2+json ${D2} 90.1 MiB linux/amd64 -`,
  '',
].join('\n');

describe('the test node’s private registry', () => {
  it('renders a hosts.toml that sends pulls to the registry over HTTPS, trusting its CA', () => {
    assert.equal(
      renderHostsToml('10.217.0.1:40001', '/n/containerd/hosts.d/10.217.0.1:40001/ca.crt'),
      [
        'server = "https://10.217.0.1:40001"',
        '',
        '[host."https://10.217.0.1:40001"]',
        '  capabilities = ["pull", "resolve"]',
        '  ca = "/n/containerd/hosts.d/10.217.0.1:40001/ca.crt"',
        '',
      ].join('\n'),
    );
  });

  it('refuses a registry name that is not host:port', () => {
    for (const name of ['https://10.217.0.1:40001', '10.217.0.1', 'reg"istry:1', 'host:1/path'])
      assert.throws(() => renderHostsToml(name, '/ca.crt'), { code: 'ERR_REGISTRY_NAME' }, name);
  });
});

describe('the image bench:pod-start pushed, in containerd', () => {
  it('is its tag, its digest reference and the CRI’s ID reference to the same manifest, nothing else', () => {
    assert.deepEqual(pushedImageRefs(LISTING, REPO), [`${REPO}:1764150000000`, `${REPO}@${D1}`, ID1]);
  });

  it('is nothing when the image is not there', () => {
    const without = LISTING.split('\n')
      .filter((line) => !line.includes(D1))
      .join('\n');
    assert.deepEqual(pushedImageRefs(without, REPO), []);
    assert.deepEqual(pushedImageRefs('REF TYPE DIGEST SIZE PLATFORMS LABELS\n', REPO), []);
  });
});

describe('the exited containers that hold the pushed image’s layers', () => {
  it('are those made from one of its references that have no task; running ones and other images stay', () => {
    const refs = [`${REPO}:1`, `${REPO}@${D1}`, ID1];
    const containers = [
      'CONTAINER    IMAGE    RUNTIME',
      `c-exited    ${REPO}:1    io.containerd.runc.v2`,
      `c-by-id    ${ID1}    io.containerd.runc.v2`,
      `c-running    ${REPO}:1    io.containerd.runc.v2`,
      'c-server    localhost/furnace/server:test    io.containerd.runc.v2',
      'c-pause    localhost/furnace/pause:test    io.containerd.runc.v2',
      '',
    ].join('\n');
    const tasks = [
      'TASK    PID    STATUS',
      'c-running    4242    RUNNING',
      'c-server    4343    RUNNING',
      '',
    ].join('\n');
    assert.deepEqual(exitedContainersOf(containers, tasks, refs), ['c-exited', 'c-by-id']);
  });
});

describe('the kubelet’s Pulled event', () => {
  it('reads Go durations as time.Duration prints them', () => {
    assert.equal(parseGoDuration('850ms'), 850);
    assert.equal(parseGoDuration('3.127s'), 3127);
    assert.equal(parseGoDuration('1m2.5s'), 62_500);
    assert.equal(parseGoDuration('0s'), 0);
    for (const bad of ['', '3', '3.1.2s', '5 s', 'fast'])
      assert.throws(() => parseGoDuration(bad), { code: 'ERR_GO_DURATION' }, bad);
  });

  it('gives the pull time, the time with waiting and the size of a pull the kubelet made', () => {
    const message =
      'Successfully pulled image "10.217.0.1:40001/furnace-bench/sidecar:1" in 4.205s (6.01s including waiting). Image size: 98765432 bytes.';
    assert.deepEqual(parsePulledMessage(message), { ms: 4205, withWaitingMs: 6010, bytes: 98_765_432 });
    assert.equal(
      parsePulledMessage('Container image "localhost/furnace/hot-app:test" already present on machine'),
      undefined,
    );
  });
});
