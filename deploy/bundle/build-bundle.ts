// Bundles the server, the operator and the local sidecar into dist/bundle: one ESM file per process with
// every package inside, so the server image runs without node_modules (Dockerfile.server). Beside them,
// speedscope's app (served at /speedscope/) and the licences of what was bundled.
// `npm run build:server-bundle`; `npm run build` (tsc to dist/) stays as it is.
//
// Why a bundle: one file loads with less memory than the ~1,500 modules of dist/ and node_modules, which
// keeps a replica under its memory limit (docs/benchmarks.md, bench:registry). Why whitespace and syntax
// minified but names kept: with mangled names V8's parser took 32 MiB of malloc at load (20 MiB more than
// with names kept) that glibc never gave back; and names keep stack traces readable. Why no legal comments
// inside: one non-ASCII character in a file makes V8 hold all of its source as two-byte characters; the
// licences go to BUNDLE_NOTICES_FILE instead.
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import {
  BUNDLE_DIR,
  BUNDLE_ENTRIES,
  BUNDLE_NOTICES_FILE,
  BUNDLE_SPEEDSCOPE_DIR,
} from '../../core/contract/bundle-layout.ts';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');
export const DEFAULT_BUNDLE_DIR = join(PROJECT_ROOT, BUNDLE_DIR);

/**
 * CommonJS packages inside an ESM bundle still call `require` for Node's own modules: esbuild leaves those
 * calls to a `require` in scope, which this banner provides.
 */
const REQUIRE_BANNER =
  "import { createRequire as __furnaceCreateRequire } from 'node:module';\n" +
  'const require = __furnaceCreateRequire(import.meta.url);';

export interface BundleBuild {
  /** Bytes of each bundle, by entry. */
  bytes: Record<string, number>;
  /** Packages whose code is in a bundle (name@version). */
  packages: string[];
}

export type BundleEntry = keyof typeof BUNDLE_ENTRIES;
const ALL_ENTRIES = Object.keys(BUNDLE_ENTRIES) as BundleEntry[];

async function bundleEntries(outDir: string, entries: readonly BundleEntry[]): Promise<Metafile> {
  const result = await build({
    entryPoints: entries
      .map((name) => BUNDLE_ENTRIES[name])
      .map((entry) => ({
        in: join(PROJECT_ROOT, entry.source),
        out: entry.file.replace(/\.mjs$/, ''),
      })),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    charset: 'ascii',
    banner: { js: REQUIRE_BANNER },
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

/** The directory of each npm package that has a file among the bundles' inputs. */
function packageDirs(metafile: Metafile): string[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1]) dirs.add(join(PROJECT_ROOT, match[1]));
  }
  return [...dirs].sort();
}

/** name@version, its licence field and its licence files, for one package. */
async function noticeOf(dir: string): Promise<{ id: string; text: string }> {
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
    name?: string;
    version?: string;
    license?: string;
  };
  const id = `${manifest.name ?? dir}@${manifest.version ?? '?'}`;
  const files = (await readdir(dir)).filter((name) => /^(licen[cs]e|copying|notice)/i.test(name)).sort();
  const texts = await Promise.all(files.map((name) => readFile(join(dir, name), 'utf8')));
  const body =
    texts.length > 0
      ? texts.join('\n')
      : `(no licence file in the package; licence field: ${manifest.license ?? 'none'})`;
  return {
    id,
    text: `${'='.repeat(78)}\n${id} (${manifest.license ?? 'no licence field'})\n\n${body.trim()}\n`,
  };
}

async function writeNotices(outDir: string, dirs: string[]): Promise<string[]> {
  const notices = await Promise.all(dirs.map(noticeOf));
  const header =
    'Furnace: third-party packages bundled into the files of this directory, with their licences.\n\n';
  await writeFile(join(outDir, BUNDLE_NOTICES_FILE), header + notices.map((n) => n.text).join('\n'));
  return notices.map((n) => n.id);
}

/**
 * Builds the named bundles (all by default) into outDir (emptied first) and the notices beside them;
 * speedscope's app too when the server is among them (the server serves it). The sidecar image takes only
 * the sidecar's bundle (Dockerfile.sidecar).
 */
export async function buildBundle(
  outDir = DEFAULT_BUNDLE_DIR,
  entries: readonly BundleEntry[] = ALL_ENTRIES,
): Promise<BundleBuild> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const metafile = await bundleEntries(outDir, entries);
  const noticeDirs = packageDirs(metafile);
  if (entries.includes('server')) {
    const speedscope = dirname(createRequire(import.meta.url).resolve('speedscope/package.json'));
    await cp(join(speedscope, 'dist', 'release'), join(outDir, BUNDLE_SPEEDSCOPE_DIR), { recursive: true });
    noticeDirs.push(speedscope);
  }
  const packages = await writeNotices(outDir, noticeDirs);
  const bytes: Record<string, number> = {};
  for (const name of entries) bytes[name] = (await stat(join(outDir, BUNDLE_ENTRIES[name].file))).size;
  return { bytes, packages };
}

/** `build-bundle.ts [entry…]`: the entries named on the command line, or all of them. */
function entriesOf(args: string[]): BundleEntry[] {
  if (args.length === 0) return ALL_ENTRIES;
  for (const arg of args)
    if (!(ALL_ENTRIES as string[]).includes(arg))
      throw new Error(`unknown bundle entry "${arg}"; allowed: ${ALL_ENTRIES.join(', ')}`);
  return args as BundleEntry[];
}

if (process.argv[1] === import.meta.filename) {
  const result = await buildBundle(DEFAULT_BUNDLE_DIR, entriesOf(process.argv.slice(2)));
  const sizes = Object.entries(result.bytes).map(
    ([name, bytes]) => `${name} ${(bytes / 1024 ** 2).toFixed(1)} MiB`,
  );
  process.stdout.write(
    `${BUNDLE_DIR}: ${sizes.join(', ')}; ${result.packages.length} packages (${BUNDLE_NOTICES_FILE})\n`,
  );
}
