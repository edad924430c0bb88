// Where the server finds the files it serves or starts (the web UI, speedscope, the local sidecar) in each
// of the three ways it runs: from source through tsx (server/*.ts), compiled by `npm run build`
// (dist/server/*.js) and bundled by `npm run build:server-bundle` (dist/bundle/server.mjs, what the image
// runs). In the bundle every module's import.meta.url is the bundle's own, so everything here is worked
// out from this module's URL alone.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_ENTRIES, BUNDLE_SPEEDSCOPE_DIR } from '../core/contract/bundle-layout.ts';
import { TYPESCRIPT_NODE_ARGS } from '../core/typescript-args.ts';

export type RuntimeLayout = 'source' | 'compiled' | 'bundle';

export interface RuntimeFiles {
  layout: RuntimeLayout;
  /** The project (or in the image, /app): ui/dist is below it. */
  root: string;
  uiDir: string;
  /** speedscope's built app: in its npm package, or copied beside the bundle. */
  speedscopeDir: string;
  /** node's arguments that start the local sidecar (local mode), and the directory to start it in. */
  sidecar: { args: string[]; cwd: string };
}

/** The layout a module URL belongs to, by its extension: .ts source, .js compiled, .mjs bundle. */
export function layoutOf(moduleUrl: string): RuntimeLayout {
  if (moduleUrl.endsWith('.mjs')) return 'bundle';
  return moduleUrl.endsWith('.js') ? 'compiled' : 'source';
}

function speedscopeOf(moduleUrl: string): string {
  const manifest = createRequire(moduleUrl).resolve('speedscope/package.json');
  return join(dirname(manifest), 'dist', 'release');
}

/**
 * The files for a server started from `moduleUrl`, the URL of this module (server/runtime-files.ts,
 * dist/server/runtime-files.js) or of the bundle that holds it (dist/bundle/server.mjs).
 */
export function runtimeFilesOf(moduleUrl: string): RuntimeFiles {
  const layout = layoutOf(moduleUrl);
  const here = dirname(fileURLToPath(moduleUrl));
  // server/ → the project; dist/server/ and dist/bundle/ → two levels up.
  const root = resolve(here, layout === 'source' ? '..' : '../..');
  const uiDir = join(root, 'ui', 'dist');
  if (layout === 'bundle')
    return {
      layout,
      root,
      uiDir,
      speedscopeDir: join(here, BUNDLE_SPEEDSCOPE_DIR),
      sidecar: { args: [join(here, BUNDLE_ENTRIES.sidecar.file)], cwd: root },
    };
  // From source the sidecar runs as the server does (core/typescript-args.ts).
  const sidecarArgs =
    layout === 'compiled'
      ? [join(root, 'dist', 'sidecar', 'main.js')]
      : [...TYPESCRIPT_NODE_ARGS, join(root, 'sidecar', 'main.ts')];
  return {
    layout,
    root,
    uiDir,
    speedscopeDir: speedscopeOf(moduleUrl),
    sidecar: { args: sidecarArgs, cwd: root },
  };
}

/** This server's files. */
export const RUNTIME_FILES = runtimeFilesOf(import.meta.url);
