// Requests to the API server through kube/kube-request.ts keep their connection (the real API server):
// one kubeconfig's requests go out on one connection; users with client certificates of their own each get
// a connection of their own and, interleaved, are each answered as themselves; users with tokens may share
// one and are still each answered as themselves, since a token travels with every request.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { sendWithKubeConfig } from '../../kube/kube-request.ts';
import { createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { issueCertificate, readPem } from '../harness/pki.ts';

const { cp, kc } = await useCluster();

/** A kubeconfig for the cluster that authenticates with a client certificate for `name`. */
async function certificateUser(dir: string, name: string): Promise<KubeConfig> {
  const issued = await issueCertificate(dir, { certPath: cp.caPath, keyPath: cp.caKeyPath }, name, {
    subject: `/CN=${name}`,
    clientAuth: true,
  });
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const b64 = async (path: string) => Buffer.from(await readPem(path)).toString('base64');
  const user = new KubeConfig();
  user.loadFromOptions({
    clusters: [cluster],
    users: [{ name, certData: await b64(issued.certPath), keyData: await b64(issued.keyPath) }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  return user;
}

/** Who the API server says the kubeconfig's user is (a SelfSubjectReview), and the connection it came on. */
async function whoAmI(user: KubeConfig): Promise<{ username: string; socket: IncomingMessage['socket'] }> {
  const res = await sendWithKubeConfig(user, {
    method: 'POST',
    path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    timeoutMs: 30_000,
  });
  const socket = res.socket;
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  assert.equal(res.statusCode, 201, Buffer.concat(chunks).toString());
  const review = JSON.parse(Buffer.concat(chunks).toString()) as {
    status: { userInfo: { username: string } };
  };
  return { username: review.status.userInfo.username, socket };
}

describe('requests to the API server on kept connections (real API server)', () => {
  it('sends one kubeconfig’s requests on one connection', async () => {
    const sockets = new Set<unknown>();
    for (let i = 0; i < 20; i++) {
      const { username, socket } = await whoAmI(kc);
      assert.equal(username, 'furnace-admin');
      sockets.add(socket);
    }
    assert.equal(sockets.size, 1, 'twenty requests one after another, one connection');
  });

  it('never lends one user’s certificate connection to another: each is answered as itself, interleaved', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'furnace-conn-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const users = [
      { name: 'furnace-admin', kubeConfig: kc },
      { name: 'furnace-conn-alice', kubeConfig: await certificateUser(dir, 'furnace-conn-alice') },
      { name: 'furnace-conn-bob', kubeConfig: await certificateUser(dir, 'furnace-conn-bob') },
    ];
    const socketsOf = new Map<string, Set<unknown>>(users.map((user) => [user.name, new Set()]));
    for (let round = 0; round < 5; round++) {
      // One after another, so that a pool keyed on less than the credentials would hand the last user's
      // free connection to the next; and all at once, so that each user needs a connection then.
      for (const user of users) {
        const { username, socket } = await whoAmI(user.kubeConfig);
        assert.equal(username, user.name, `round ${round}: answered as ${username}`);
        socketsOf.get(user.name)?.add(socket);
      }
      const together = await Promise.all(users.map((user) => whoAmI(user.kubeConfig)));
      together.forEach(({ username, socket }, i) => {
        assert.equal(username, users[i]?.name, `round ${round}, together: answered as ${username}`);
        socketsOf.get(username)?.add(socket);
      });
    }
    const all = [...socketsOf.values()].flatMap((sockets) => [...sockets]);
    assert.equal(new Set(all).size, all.length, 'no connection served two users');
    for (const [name, sockets] of socketsOf) assert.equal(sockets.size, 1, `${name}: one connection`);
  });

  it('answers users with tokens as themselves, their tokens sent with every request', async () => {
    const users = await Promise.all(
      ['furnace-conn-a', 'furnace-conn-b'].map(async (prefix) => {
        const namespace = await createNamespace(kc, { prefix });
        return createUser(kc, { name: 'reader', namespace, rules: [] });
      }),
    );
    for (let round = 0; round < 5; round++) {
      for (const user of users) {
        assert.equal((await whoAmI(user.kubeConfig)).username, user.username, `round ${round}`);
      }
    }
  });
});
