// A sidecar app with everything real except perf and the process table: a fake perf writes canned output.
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { buildSidecarApp } from '../../../sidecar/api/build-sidecar-app.ts';
import { readSidecarConfig, type SidecarConfig } from '../../../sidecar/config.ts';
import type { HttpRequest, HttpResponse } from '../../../sidecar/server-link/http-client.ts';
import type { ProcessInfo } from '../../../sidecar/host/process-select.ts';
import { ProxyTokens } from '../../../sidecar/server-link/proxy-tokens.ts';
import { RecordingController, type ControllerDeps } from '../../../sidecar/recording/recording-controller.ts';
import type { ChildLike, RunCommand, SpawnFn } from '../../../sidecar/host/runtime.ts';
import { timers } from '../../../sidecar/process-support.ts';
import { answerPerfControl } from '../../harness/fake-perf-control.ts';

export const TOKEN = 'proxy-token-for-tests';
export const UPLOAD_TOKEN = 'upload-token-for-tests';

function sample(fn: string): string {
  return `prog 200/200 100.000001: cpu-clock:\n\t    55d0c8a0113d ${fn}+0x14 (/opt/prog)\n\t    55d0c8a011a0 main+0x20 (/opt/prog)\n\n`;
}
export const PERF_SCRIPT = sample('furnace_light') + sample('furnace_heavy').repeat(3);

class FakeChild extends EventEmitter implements ChildLike {
  pid = 99999;
  stdout: PassThrough | null = null;
  stderr = new PassThrough();
  signals: string[] = [];
  onKill: (signal: string) => void = () => {};
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.signals.push(signal);
    this.onKill(signal);
    return true;
  }
  finish(code: number, stderr = ''): void {
    this.stderr.end(stderr);
    this.stdout?.end();
    setImmediate(() => this.emit('close', code, null));
  }
}

export interface FakePerf {
  spawn: SpawnFn;
  records: FakeChild[];
  /** When set, perf record fails at once with this stderr. */
  failWith?: string;
  /** What perf script prints (PERF_SCRIPT unless a test changes it). */
  scriptText?: string;
}

export function fakePerf(): FakePerf {
  const perf: FakePerf = {
    records: [],
    spawn: (_command, args) => {
      const child = new FakeChild();
      if (args.includes('record')) {
        perf.records.push(child);
        const output = args[args.indexOf('-o') + 1] ?? '';
        child.once('close', answerPerfControl(args));
        if (perf.failWith !== undefined) {
          const text = perf.failWith;
          setImmediate(() => child.finish(255, text));
          return child;
        }
        // As perf does once its events are open: the file's header first (the duration counts from it).
        void writeFile(output, 'PERFILE2').catch(() => undefined);
        child.onKill = (signal) => {
          if (signal !== 'SIGINT') return;
          void writeFile(output, 'PERFILE2').then(() =>
            child.finish(0, '[ perf record: Captured and wrote 0.1 MB (4 samples) ]\n'),
          );
        };
      } else {
        child.stdout = new PassThrough();
        setImmediate(() => {
          child.stdout?.write(perf.scriptText ?? PERF_SCRIPT);
          child.finish(0);
        });
      }
      return child;
    },
  };
  return perf;
}

export const PROCESSES: ProcessInfo[] = [
  { pid: 1, ppid: 0, comm: 'init', cmdline: '/sbin/init', nspid: 1 },
  { pid: 200, ppid: 1, comm: 'prog', cmdline: '/opt/prog --spin', nspid: 200 },
  { pid: 300, ppid: 1, comm: 'sidecar', cmdline: 'node sidecar/main.ts', nspid: 300 },
];

export interface SidecarFixture {
  app: FastifyInstance;
  controller: RecordingController;
  perf: FakePerf;
  config: SidecarConfig;
  uploads: HttpRequest[];
  /** POST /recordings with the proxy token. */
  start(payload: object): Promise<LightMyRequestResponse>;
  /** The recording's status, as GET /recordings/<id> with the proxy token answers it. */
  read(id: string): Promise<RecordingStatus>;
  /** Takes the tokens a server's registration answered too (a test that puts a real server in front). */
  acceptTokens(answer: { proxyToken: string; uploadToken: string }): void;
  close(): Promise<void>;
}

export async function sidecarFixture(
  env: Record<string, string> = {},
  /**
   * `run`: the commands other than perf record and perf script (none answer, by default); `profilers`: the
   * profilers offered besides perf (none, by default).
   */
  options: { requireTls?: boolean; run?: RunCommand; profilers?: ControllerDeps['profilers'] } = {},
): Promise<SidecarFixture> {
  const dataDir = await mkdtemp(`${tmpdir()}/furnace-sidecar-app-`);
  const config = readSidecarConfig(
    { FURNACE_SIDECAR_DATA: dataDir, ...env },
    { hostname: 'testhost', tmpDir: tmpdir() },
  );
  const perf = fakePerf();
  const tokens = new ProxyTokens();
  tokens.accept({ proxyToken: TOKEN, uploadToken: UPLOAD_TOKEN }, Date.now(), 60);
  const uploads: HttpRequest[] = [];
  let ids = 0;
  const controller = new RecordingController({
    config,
    spawn: perf.spawn,
    run: options.run ?? (() => Promise.resolve({ code: 1, stdout: '', stderr: 'podman is not used here' })),
    timers,
    newId: () => `rec-${++ids}`,
    selfPid: 300,
    listProcesses: () => Promise.resolve(PROCESSES),
    nestedPidNamespace: () => Promise.resolve(false),
    fileSize: (path) =>
      stat(path).then(
        (s) => s.size,
        () => 0,
      ),
    send: async (request): Promise<HttpResponse> => {
      if (typeof request.body === 'object' && !Buffer.isBuffer(request.body)) {
        const chunks: Buffer[] = [];
        for await (const chunk of request.body) chunks.push(chunk as Buffer);
        request.body = Buffer.concat(chunks);
      }
      uploads.push(request);
      return { status: 200, body: '{}' };
    },
    sleep: () => Promise.resolve(),
    random: () => 0.5,
    serverToken: () => tokens.uploadToken,
    log: () => {},
    ...(options.profilers === undefined ? {} : { profilers: options.profilers }),
  });
  const app = buildSidecarApp({
    recordings: controller,
    limits: config.limits,
    isAcceptedToken: (token) => tokens.isAccepted(token, Date.now()),
    isRegistered: () => true,
    ...(options.requireTls ? { requireTls: () => true } : {}),
  });
  return {
    app,
    controller,
    perf,
    config,
    uploads,
    start: (payload) => app.inject({ method: 'POST', url: '/recordings', headers: auth, payload }),
    read: async (id) =>
      (await app.inject({ url: `/recordings/${id}`, headers: auth })).json<RecordingStatus>(),
    acceptTokens: (answer) => tokens.accept(answer, Date.now(), 60),
    async close() {
      await controller.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const auth = { authorization: `Bearer ${TOKEN}` };
