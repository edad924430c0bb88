// Where the server finds the UI, speedscope and the local sidecar from source, from dist/ and from the
// bundle. The bundle's answers are the ones a copied image (no node_modules) relies on; the process test
// test/process/server-bundle.test.ts runs them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { layoutOf, RUNTIME_FILES, runtimeFilesOf } from '../../../server/runtime-files.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const url = (path: string): string => pathToFileURL(join(PROJECT_ROOT, path)).href;

describe('runtime files', () => {
  it('tells the three layouts apart by the module extension', () => {
    assert.equal(layoutOf(url('server/runtime-files.ts')), 'source');
    assert.equal(layoutOf(url('dist/server/runtime-files.js')), 'compiled');
    assert.equal(layoutOf(url('dist/bundle/server.mjs')), 'bundle');
  });

  it('from source (this test): the project, ui/dist, speedscope in node_modules, the sidecar as Node runs TypeScript', () => {
    assert.equal(RUNTIME_FILES.layout, 'source');
    assert.equal(RUNTIME_FILES.root, PROJECT_ROOT);
    assert.equal(RUNTIME_FILES.uiDir, join(PROJECT_ROOT, 'ui', 'dist'));
    assert.ok(existsSync(join(RUNTIME_FILES.speedscopeDir, 'index.html')), RUNTIME_FILES.speedscopeDir);
    assert.deepEqual(RUNTIME_FILES.sidecar, {
      // Node 24 (the tests' Node) strips the types itself: no tsx (core/typescript-args.ts).
      args: [join(PROJECT_ROOT, 'sidecar', 'main.ts')],
      cwd: PROJECT_ROOT,
    });
  });

  it('compiled: the same project root two levels up, the compiled sidecar', () => {
    const files = runtimeFilesOf(url('dist/server/runtime-files.js'));
    assert.equal(files.root, PROJECT_ROOT);
    assert.equal(files.uiDir, join(PROJECT_ROOT, 'ui', 'dist'));
    assert.deepEqual(files.sidecar.args, [join(PROJECT_ROOT, 'dist', 'sidecar', 'main.js')]);
  });

  it('bundled, anywhere: speedscope and the sidecar beside the bundle, nothing from node_modules', () => {
    const files = runtimeFilesOf('file:///app/dist/bundle/server.mjs');
    assert.deepEqual(files, {
      layout: 'bundle',
      root: '/app',
      uiDir: '/app/ui/dist',
      speedscopeDir: '/app/dist/bundle/speedscope',
      sidecar: { args: ['/app/dist/bundle/sidecar.mjs'], cwd: '/app' },
    });
  });
});
