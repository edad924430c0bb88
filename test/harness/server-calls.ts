// Calls that app and kube tests make on the server's apps (Fastify inject): a user's sidecar list, and a
// sidecar's registration and status upload on the recorder listener.
import type { FastifyInstance } from 'fastify';
import type { RecordingStatus } from '../../core/contract/recording.ts';

/** The Authorization header of a bearer token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** A sidecar's registration, POST /api/v1/sidecars, to one of the listeners (the recorder's takes it). */
export function postRegistration(app: FastifyInstance, headers: { authorization?: string }, payload: object) {
  return app.inject({ method: 'POST', url: '/api/v1/sidecars', headers, payload });
}

/** A sidecar's PUT of a recording's status, with its upload token, to one of the listeners. */
export function putStatus(app: FastifyInstance, uploadToken: string, status: RecordingStatus) {
  return app.inject({
    method: 'PUT',
    url: `/api/v1/recordings/${status.id}`,
    headers: bearer(uploadToken),
    payload: status,
  });
}

/** GET /api/v1/sidecars with these headers (none: anonymous). */
export function getSidecars(app: FastifyInstance, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url: '/api/v1/sidecars', headers });
}
