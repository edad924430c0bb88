// Bundles the web UI into ui/dist: one minified script, one stylesheet and index.html. No network:
// everything comes from node_modules. `npm run build:ui`; `npm start` and the test setup run it.
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { build } from 'esbuild';

export const UI_DIR = import.meta.dirname;
export const DIST_DIR = join(UI_DIR, 'dist');
/** What the browser downloads of our own code, gzipped; speedscope is served apart. */
export const MAX_GZIPPED_JS_BYTES = 250 * 1024;
const STATIC_FILES = ['index.html', 'styles.css', 'favicon.svg'];

export interface UiBuild {
  jsBytes: number;
  gzippedJsBytes: number;
}

export async function buildUi(outDir = DIST_DIR): Promise<UiBuild> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(UI_DIR, 'src', 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outfile: join(outDir, 'app.js'),
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const file of STATIC_FILES) await copyFile(join(UI_DIR, 'src', file), join(outDir, file));
  const js = await readFile(join(outDir, 'app.js'));
  return { jsBytes: js.length, gzippedJsBytes: gzipSync(js, { level: 9 }).length };
}

if (process.argv[1] === import.meta.filename) {
  const result = await buildUi();
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
  process.stdout.write(
    `ui/dist: app.js ${kb(result.jsBytes)}, ${kb(result.gzippedJsBytes)} gzipped (limit ${kb(MAX_GZIPPED_JS_BYTES)})\n`,
  );
  if (result.gzippedJsBytes > MAX_GZIPPED_JS_BYTES) {
    process.stderr.write('ui build: the gzipped script is over the limit\n');
    process.exit(1);
  }
}
