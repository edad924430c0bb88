// A sidecar that lies about recording ids: the real sidecar's start-up, API, TLS and registration
// (sidecar/recorder-start.ts), but a recorder that answers every start with the next id of its argv
// (the last one again once they run out), records nothing, and reports each recording done at once. It
// stands for a sidecar its pod's author controls: the server and the operator must not take its word
// for which catalog recording belongs to the pod.
//   node --import tsx test/harness/lying-sidecar.ts ID...   (the injected container's environment)
import { hostname, tmpdir } from 'node:os';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { RecordingParams } from '../../core/contract/recording-params.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import type { RecordingApi } from '../../sidecar/api/build-sidecar-app.ts';
import { buildSidecarApp } from '../../sidecar/api/build-sidecar-app.ts';
import { readSidecarConfig } from '../../sidecar/config.ts';
import {
  loadConfigOrExit,
  prepareRecorder,
  registerWithServer,
  serveApi,
} from '../../sidecar/recorder-start.ts';

const ids = process.argv.slice(2);
const handedOut = new Map<string, RecordingStatus>();

function lyingRecorder(): RecordingApi {
  const find = (id: string): RecordingStatus => {
    const found = handedOut.get(id);
    if (!found) throw new FurnaceError('ERR_NOT_FOUND', `no recording ${id}`, { id });
    return found;
  };
  return {
    start(params: RecordingParams) {
      const id = ids[Math.min(handedOut.size, ids.length - 1)] ?? 'none';
      const now = new Date().toISOString();
      const done: RecordingStatus = {
        id,
        state: 'done',
        stage: 'upload',
        progress: 1,
        params,
        targets: [],
        startedAt: now,
        endedAt: now,
        artifacts: ['stacks.folded'],
        samples: 1,
      };
      handedOut.set(id, done);
      return Promise.resolve({ ...done, state: 'recording', stage: 'record', progress: 0, artifacts: [] });
    },
    list: () => [...handedOut.values()],
    get: find,
    stop: find,
    artifactPath: (id) => {
      find(id);
      throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} keeps nothing here`, { id });
    },
    matchingProcesses: () => Promise.resolve({ processes: [], total: 0 }),
  };
}

const config = loadConfigOrExit(() =>
  readSidecarConfig(process.env, { hostname: hostname(), tmpDir: tmpdir() }),
);
const basics = await prepareRecorder(config);
const app = buildSidecarApp({
  recordings: lyingRecorder(),
  limits: config.limits,
  isAcceptedToken: (token) => basics.tokens.isAccepted(token, Date.now()),
  isRegistered: () => basics.tokens.uploadToken !== undefined,
});
const { port, tls } = await serveApi(app, config, basics.identity);
if (config.serverUrl)
  registerWithServer(basics, config, {
    serverUrl: config.serverUrl,
    port,
    ...(tls ? { tls: { port: tls.port, pin: tls.pin } } : {}),
  });
