// The attack of the security finding, reproduced against a real server process and a real API server: the
// webhook listener (:8443) is reachable by whoever reaches the server's pod. Before the ValidatingAdmission-
// Policy it served POST /validate-recording and believed the posted AdmissionReview's userInfo, so a forged
// review made the server ask the API server (a SubjectAccessReview, with the server's own rights) whether
// any user, with any groups, may create recordings/continuous in any namespace, and told the caller: an
// oracle of the cluster's authorization. Run on that code, this test fails: both forged reviews are answered
// 200 (allowed true for the made-up member of system:masters, false for the one without groups), and the
// API server's audit log holds a SubjectAccessReview for each made-up user, made by the server.
//
// Now the API server checks continuous Recordings itself (core/crd/recording-admission.ts): the route is
// gone (404), and the audit log, which does record SubjectAccessReviews (ours is there), holds none about
// the made-up users.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { AuthorizationV1Api } from '@kubernetes/client-node';
import { API_GROUP } from '../../core/contract/names.ts';
import { RUN_ID, useCluster } from '../harness/cluster.ts';
import { startClusterServer } from '../harness/cluster-server.ts';
import { auditLogPath } from '../harness/control-plane.ts';
import { httpsCall } from '../harness/http.ts';
import { workDir } from '../harness/temp-dirs.ts';

const { cp, kc } = await useCluster();

/** An AdmissionReview as the API server would send it for the creation of a continuous Recording. */
function forgedReview(username: string, groups: string[]) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `forged-${username}`,
      kind: { group: API_GROUP, version: 'v1alpha1', kind: 'Recording' },
      resource: { group: API_GROUP, version: 'v1alpha1', resource: 'recordings' },
      operation: 'CREATE',
      namespace: 'kube-system',
      userInfo: { username, groups },
      object: {
        apiVersion: `${API_GROUP}/v1alpha1`,
        kind: 'Recording',
        metadata: { name: 'probe', namespace: 'kube-system' },
        spec: { target: { selector: {} }, continuous: {} },
      },
    },
  };
}

interface AuditedReview {
  /** Who asked the API server. */
  asker: string;
  /** Whose access was asked about. */
  user: string;
}

/** Every SubjectAccessReview the API server's audit log holds. */
async function auditedReviews(path: string): Promise<AuditedReview[]> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
  return lines.map((line) => {
    const event = JSON.parse(line) as {
      user?: { username?: string };
      requestObject?: { spec?: { user?: string } };
    };
    return { asker: event.user?.username ?? '', user: event.requestObject?.spec?.user ?? '' };
  });
}

describe('the webhook listener is no SubjectAccessReview oracle', () => {
  it('answers a forged AdmissionReview about made-up users with 404 and asks the API server nothing about them', async (t) => {
    const dir = await workDir(t, 'webhook-access-oracle');
    const server = await startClusterServer(t, dir, { kubeconfigPath: cp.kubeconfigPath });
    const validate = new URL('/validate-recording', server.webhookUrl).href;
    const mallory = `mallory-${RUN_ID}`;
    const nobody = `nobody-${RUN_ID}`;

    const answers = [];
    for (const [user, groups] of [
      [mallory, ['system:masters']],
      [nobody, []],
    ] as const) {
      const answer = await httpsCall(validate, server.certs.caPem, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(forgedReview(user, [...groups])),
      });
      answers.push({ user, status: answer.status, body: answer.body });
    }
    assert.deepEqual(
      answers.map(({ user, status }) => ({ user, status })),
      [
        { user: mallory, status: 404 },
        { user: nobody, status: 404 },
      ],
      `the listener answered a forged review: ${JSON.stringify(answers)}`,
    );

    // The audit log records SubjectAccessReviews (this one, made after the forged reviews were answered)...
    const marker = `marker-${RUN_ID}`;
    await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: {
        spec: {
          user: marker,
          resourceAttributes: { group: API_GROUP, resource: 'recordings', verb: 'create' },
        },
      },
    });
    const reviews = await auditedReviews(auditLogPath(cp.dir));
    assert.ok(
      reviews.some((review) => review.user === marker),
      `the audit log (${auditLogPath(cp.dir)}) records SubjectAccessReviews`,
    );
    // ...and holds none about the made-up users: nobody asked.
    assert.deepEqual(
      reviews.filter((review) => review.user === mallory || review.user === nobody),
      [],
    );
  });
});
