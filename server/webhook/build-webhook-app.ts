// The admission webhook listener: its own HTTPS Fastify instance (default :8443).
//
// Stable API (server/main.ts calls it, then `app.listen({ port: WEBHOOK_PORT, host })`):
//   buildWebhookApp(deps: WebhookAppDeps): WebhookApp
//     deps.config          InjectionConfig from parseInjectionConfig (read once; never re-read per request)
//     deps.https           { key, cert } PEM strings, or a TlsSource (watchTlsFiles) whose rotations are applied
//                          to new connections without a restart
//     deps.logger          optional pino-compatible logger (Fastify `loggerInstance`); none: silent
//     deps.metricsRegistry optional prom-client Registry for furnace_webhook_decisions_total{decision,reason}
//   Routes: POST /mutate (AdmissionReview v1), GET /healthz. Nothing else: who may create a continuous
//   Recording is checked by the API server itself (core/crd/recording-admission.ts), so this listener, which
//   anyone who reaches port 8443 can call, never asks Kubernetes anything about a user a request names.
//   Never answers 5xx: bad input is 400 (413 over 3 MiB); an internal error admits the pod unchanged
//   with a warning and an error-level log line.
//   Logs one line per admission, written when its answer has gone out (with Fastify's `responseTime`),
//   instead of Fastify's two request lines: at 50 pod creates/s those were two thirds of the listener's
//   log writes, on the event loop the webhook's calls wait for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { FurnaceError, toErrorBody } from '../../core/contract/errors.ts';
import { toFurnaceError } from '../../core/contract/http-errors.ts';
import type { InjectionConfig } from '../../core/injection/injection-config.ts';
import { answer, reviewAdmission } from '../../core/injection/review-admission.ts';
import { WEBHOOK_PATH } from '../../core/contract/names.ts';
import {
  admissionReviewBodySchema,
  admissionReviewResponseSchema,
  errorBodySchema,
} from './admission-schema.ts';
import { isTlsSource, type TlsMaterial, type TlsSource } from './tls.ts';
import { countDecision, decisionCounter, type DecisionCounter } from './webhook-metrics.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';

/** The API server's own limit on a request body; an AdmissionReview for a larger object cannot exist. */
export const WEBHOOK_BODY_LIMIT = 3 * 1024 * 1024;

export interface WebhookAppDeps {
  config: InjectionConfig;
  https: TlsMaterial | TlsSource;
  logger?: FastifyBaseLogger;
  metricsRegistry?: Registry;
}

export type WebhookApp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>;

const INTERNAL_ERROR_WARNING =
  'furnace: the sidecar was not injected because of an internal error (see the webhook log)';

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw new FurnaceError('ERR_INVALID_PARAMETER', `body is not JSON: ${(error as Error).message}`);
  }
}

/**
 * The shared conversion (field, value and limit of a schema rejection), with the webhook's own rule:
 * whatever went wrong before the handler is answered as the caller's mistake, never a 5xx.
 */
function errorReply(error: FastifyError | FurnaceError, request: FastifyRequest): FurnaceError {
  if (error instanceof FurnaceError) return error;
  if (error.statusCode === 413) {
    return new FurnaceError(
      'ERR_PAYLOAD_TOO_LARGE',
      `body is larger than ${WEBHOOK_BODY_LIMIT} bytes (the API server's request limit)`,
    );
  }
  const failure = toFurnaceError(error, request);
  const prefix = error.validation ? 'not an AdmissionReview v1: ' : '';
  if (failure.status >= 500) return new FurnaceError('ERR_INVALID_PARAMETER', `${prefix}${error.message}`);
  return new FurnaceError(failure.code, `${prefix}${failure.message}`, { ...failure.details });
}

function registerTlsRotation(app: WebhookApp, source: TlsSource): void {
  const unsubscribe = source.subscribe((material) => {
    app.server.setSecureContext({ key: material.key, cert: material.cert });
    app.log.info('webhook serving certificate reloaded from disk');
  });
  app.addHook('onClose', (_instance, done) => {
    unsubscribe();
    done();
  });
}

export function buildWebhookApp(deps: WebhookAppDeps): WebhookApp {
  const tls = isTlsSource(deps.https) ? deps.https.current() : deps.https;
  const app = Fastify({
    https: { key: tls.key, cert: tls.cert },
    bodyLimit: WEBHOOK_BODY_LIMIT,
    // The decision line (registerMutateRoute) carries what Fastify's request lines would, and more.
    logController: new LogController({ disableRequestLogging: true }),
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
  }) as unknown as WebhookApp;
  if (isTlsSource(deps.https)) registerTlsRotation(app, deps.https);

  // The API server sends application/json; anything else is still parsed, so bad input is a 400, not a 415.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.setErrorHandler((error: FastifyError | FurnaceError, request, reply) => {
    const failure = errorReply(error, request);
    const { status } = failure;
    const body = toErrorBody(failure);
    // Parser and schema errors carry a 4xx; anything else is ours, still answered without a 5xx.
    const ours = !(error instanceof FurnaceError) && (error.statusCode ?? 500) >= 500;
    if (ours) request.log.error({ err: error, status }, 'webhook request failed before the handler');
    else request.log.info({ status, message: body.message }, 'webhook request rejected');
    return reply.code(status).send(body);
  });

  app.get('/healthz', () => ({ status: 'ok' }));
  registerMutateRoute(app, deps.config, decisionCounter(deps.metricsRegistry));
  return app;
}

interface DecisionLine {
  fields: Record<string, unknown>;
  message: string;
}

/** The decision of each answered review, logged once its answer has gone out or the caller has gone. */
const decisionLines = new WeakMap<FastifyRequest, DecisionLine>();

function registerDecisionLog(app: WebhookApp): void {
  const write = (request: FastifyRequest, extra: Record<string, unknown>): void => {
    const line = decisionLines.get(request);
    if (!line) return;
    decisionLines.delete(request);
    request.log.info({ ...line.fields, ...extra }, line.message);
  };
  app.addHook('onResponse', (request, reply, done) => {
    write(request, { statusCode: reply.statusCode, responseTime: reply.elapsedTime });
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    write(request, { aborted: true });
    done();
  });
}

/** POST /mutate: the decision and patch of core's reviewAdmission, logged and counted. */
function registerMutateRoute(app: WebhookApp, config: InjectionConfig, counter: DecisionCounter): void {
  registerDecisionLog(app);
  typedRoutes(app).post(
    WEBHOOK_PATH,
    {
      schema: {
        body: admissionReviewBodySchema,
        response: { 200: admissionReviewResponseSchema, 400: errorBodySchema, 413: errorBodySchema },
      },
    },
    (request) => {
      const admission = request.body.request;
      const context = {
        uid: admission.uid,
        namespace: admission.namespace,
        dryRun: admission.dryRun === true,
      };
      try {
        const outcome = reviewAdmission(admission, config);
        countDecision(counter, outcome.decision);
        decisionLines.set(request, {
          fields: {
            ...context,
            inject: outcome.decision.inject,
            reasons: outcome.decision.reasons,
            operations: outcome.patch.length,
          },
          message: outcome.decision.inject ? 'furnace sidecar injected' : 'furnace sidecar not injected',
        });
        return outcome.review;
      } catch (error) {
        counter.inc({ decision: 'error', reason: 'internal-error' });
        request.log.error({ ...context, err: error }, 'injection failed; the pod is admitted unchanged');
        return answer(admission.uid, { warnings: [INTERNAL_ERROR_WARNING] });
      }
    },
  );
}
