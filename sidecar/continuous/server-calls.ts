// The agent's two calls for continuous profiling on the server's recorder listener, authenticated with
// the upload token of the agent's registration (it authorizes uploads and nothing else): ask for the
// node's plan, and send a window. The plan is checked field by field (core/continuous/continuous-plan.ts).
import {
  EMPTY_PLAN,
  readContinuousPlan,
  type ContinuousPlan,
  type ContinuousWindowUpload,
} from '../../core/continuous/continuous-plan.ts';
import type { HttpSend } from '../server-link/http-client.ts';

export interface ContinuousLinkDeps {
  send: HttpSend;
  serverUrl: string;
  node: string;
  /** The registration's upload token; undefined until registered. */
  token(): string | undefined;
  readCa(): Promise<string | undefined>;
}

export interface ContinuousLink {
  /** The node's plan; undefined when the agent is not registered yet or the server could not answer. */
  fetchPlan(): Promise<ContinuousPlan | undefined>;
  upload(window: ContinuousWindowUpload & { dropped: number }): Promise<void>;
}

export const PLAN_PATH = '/api/v1/agents/continuous';
export const WINDOWS_PATH = '/api/v1/agents/continuous/windows';

export function createContinuousLink(deps: ContinuousLinkDeps): ContinuousLink {
  async function call(method: string, path: string, body: unknown) {
    const token = deps.token();
    if (token === undefined) return undefined;
    const ca = await deps.readCa();
    return deps.send({
      method,
      url: new URL(path, deps.serverUrl).toString(),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      ...(ca !== undefined ? { ca } : {}),
      timeoutMs: 30_000,
    });
  }
  return {
    async fetchPlan() {
      const answer = await call('POST', PLAN_PATH, { node: deps.node });
      if (answer === undefined) return undefined;
      // A server without continuous profiling has no such route: nothing is selected.
      if (answer.status === 404) return EMPTY_PLAN;
      if (answer.status !== 200)
        throw new Error(`the server answered the plan with ${answer.status}: ${answer.body.slice(0, 300)}`);
      return readContinuousPlan(JSON.parse(answer.body));
    },
    async upload(window) {
      const answer = await call('PUT', WINDOWS_PATH, window);
      if (answer === undefined) throw new Error('not registered with the server');
      if (answer.status !== 204 && answer.status !== 200)
        throw new Error(`the server answered the window with ${answer.status}: ${answer.body.slice(0, 300)}`);
    },
  };
}
