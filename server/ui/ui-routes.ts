// The web UI (ui/dist, built by `npm run build:ui`) at `/`, its pages' paths answered with
// index.html, and the speedscope app (from its npm package, or copied beside the bundle) at /speedscope/. No CDN.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SPEEDSCOPE_PATH, UI_PAGE_ROUTES } from '../../core/contract/ui-contract.ts';
import { RUNTIME_FILES } from '../runtime-files.ts';

// ui/dist from source, compiled or bundled alike (server/runtime-files.ts).
export const DEFAULT_UI_DIR = RUNTIME_FILES.uiDir;
export const SPEEDSCOPE_DIR = RUNTIME_FILES.speedscopeDir;

/**
 * Scripts and styles from this origin only, no inline script, no framing: a symbol name that got
 * past the escaping still could not run.
 */
export const UI_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/**
 * speedscope under the same rules, with what its bundle needs besides: the `<style>` elements its
 * stylesheet library adds at run time, and WebAssembly (its JFR reader). Nothing from another origin,
 * no framing, and no form goes anywhere.
 */
export const SPEEDSCOPE_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

const NOT_BUILT =
  'The Furnace web UI is not built. Run `npm run build:ui` (npm start does it) and reload this page.\n';

function sendIndex(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', UI_CONTENT_SECURITY_POLICY)
    .header('cache-control', 'no-cache')
    .sendFile('index.html', { cacheControl: false });
}

export async function registerUiRoutes(app: FastifyInstance, uiDir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: SPEEDSCOPE_DIR,
    prefix: SPEEDSCOPE_PATH,
    decorateReply: false,
    setHeaders: (response) => {
      response.setHeader('content-security-policy', SPEEDSCOPE_CONTENT_SECURITY_POLICY);
      response.setHeader('x-content-type-options', 'nosniff');
    },
  });
  if (!existsSync(join(uiDir, 'index.html'))) {
    for (const path of ['/', ...UI_PAGE_ROUTES])
      app.get(path, (_request, reply) => reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT));
    return;
  }
  await app.register(fastifyStatic, {
    root: uiDir,
    prefix: '/',
    index: false,
    setHeaders: (response) => {
      response.setHeader('x-content-type-options', 'nosniff');
    },
  });
  app.get('/', (_request, reply) => sendIndex(reply));
  for (const path of UI_PAGE_ROUTES) app.get(path, (_request, reply) => sendIndex(reply));
}
