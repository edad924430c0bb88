// POST /validate-recording: who may create a continuous Recording. The operator switches the selection on
// as itself (it may everywhere), so the Recording's author is checked here, when the API server admits it:
// a SubjectAccessReview for the request's userInfo, `create` on recordings/continuous in the request's
// namespace — the REST route's permission (server/continuous/continuous-routes.ts). Anything else this
// webhook is sent is allowed: the configuration's match condition sends continuous Recordings only, and
// the handler checks that again. The configuration's failurePolicy is Fail, so no answer means refused.
import type { FastifyBaseLogger } from 'fastify';
import { API_GROUP, RECORDINGS_RESOURCE } from '../../core/contract/names.ts';
import { strictValidator } from '../../core/contract/strict-validator.ts';
import {
  CONTINUOUS_CLUSTER_ROLE,
  CONTINUOUS_SUBRESOURCE,
  RECORDING_VALIDATE_PATH,
} from '../../core/crd/recording-admission.ts';
import { ADMISSION_API_VERSION, ADMISSION_KIND } from '../../core/injection/review-admission.ts';
import type { AccessCheck } from '../kube/kube-gateway.ts';
import { errorBodySchema } from './admission-schema.ts';
import {
  recordingReviewBodySchema,
  recordingReviewResponseSchema,
  type RecordingAdmissionRequest,
} from './recording-review-schema.ts';
import type { WebhookApp } from './build-webhook-app.ts';

/** The one Kubernetes call of the check (KubeGateway's). */
export interface AccessChecker {
  checkAccess(check: AccessCheck): Promise<boolean>;
}

/** Checks in flight at once: whoever reaches the listener could otherwise make it ask without end. */
export const MAX_CHECKS_IN_FLIGHT = 32;

export type RecordingAdmission =
  { check: AccessCheck } | { allow: 'not-a-recording' | 'not-create' | 'not-continuous' };

/** Whether the request needs the check, and the check: the request's user and namespace, never the object's. */
export function decideRecordingAdmission(request: RecordingAdmissionRequest): RecordingAdmission {
  if (request.kind.group !== API_GROUP || request.kind.kind !== 'Recording')
    return { allow: 'not-a-recording' };
  if (request.operation !== 'CREATE') return { allow: 'not-create' };
  const spec = request.object?.spec;
  if (spec === undefined || spec.continuous === undefined || spec.continuous === null)
    return { allow: 'not-continuous' };
  const { username, uid, groups, extra } = request.userInfo;
  return {
    check: {
      user: username,
      ...(uid ? { uid } : {}),
      groups: groups ?? [],
      ...(extra && Object.keys(extra).length > 0 ? { extra } : {}),
      verb: 'create',
      namespace: request.namespace,
      group: API_GROUP,
      resource: RECORDINGS_RESOURCE,
      subresource: CONTINUOUS_SUBRESOURCE,
    },
  };
}

/** The refusal the user reads in kubectl, worded as the REST route's 403. */
export function continuousRefusal(check: AccessCheck): string {
  return `${check.user} may not create ${RECORDINGS_RESOURCE}/${CONTINUOUS_SUBRESOURCE} (API group ${API_GROUP}) in namespace ${check.namespace}: a Recording with spec.continuous switches continuous profiling on, which needs this permission beyond recording (ClusterRole ${CONTINUOUS_CLUSTER_ROLE} grants it, bound in the namespace)`;
}

interface Verdict {
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
}

function review(uid: string, verdict: Verdict) {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response: { uid, ...verdict } };
}

const refused = (code: number, reason: string, message: string): Verdict => ({
  allowed: false,
  status: { code, reason, message },
});

async function judge(
  kube: AccessChecker,
  check: AccessCheck,
  log: FastifyBaseLogger,
  context: object,
): Promise<Verdict> {
  try {
    if (await kube.checkAccess(check)) return { allowed: true };
    log.info(
      { ...context, user: check.user },
      'continuous Recording refused: no create on recordings/continuous',
    );
    return refused(403, 'Forbidden', continuousRefusal(check));
  } catch (error) {
    log.error({ ...context, err: error }, 'could not check recordings/continuous; the Recording is refused');
    return refused(
      503,
      'ServiceUnavailable',
      `furnace could not check whether ${check.user} may create recordings/continuous in namespace ${check.namespace} (the Kubernetes API server did not answer); try again`,
    );
  }
}

export function registerValidateRecordingRoute(app: WebhookApp, kube: AccessChecker): void {
  let inFlight = 0;
  app.post<{ Body: { request: RecordingAdmissionRequest } }>(
    RECORDING_VALIDATE_PATH,
    {
      schema: {
        body: recordingReviewBodySchema,
        response: { 200: recordingReviewResponseSchema, 400: errorBodySchema, 413: errorBodySchema },
      },
      validatorCompiler: strictValidator,
    },
    async (request) => {
      const admission = request.body.request;
      const decision = decideRecordingAdmission(admission);
      if ('allow' in decision) return review(admission.uid, { allowed: true });
      const context = {
        uid: admission.uid,
        namespace: admission.namespace,
        dryRun: admission.dryRun === true,
      };
      if (inFlight >= MAX_CHECKS_IN_FLIGHT)
        return review(
          admission.uid,
          refused(
            429,
            'TooManyRequests',
            `furnace is checking ${MAX_CHECKS_IN_FLIGHT} Recordings already; try again`,
          ),
        );
      inFlight++;
      try {
        return review(admission.uid, await judge(kube, decision.check, request.log, context));
      } finally {
        inFlight--;
      }
    },
  );
}
