// The viewer scripts are committed as a generated module, because the sidecar runs compiled code
// without esbuild. This test bundles the sources again and fails when the committed file is stale.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { HTML_VIEWER_SCRIPT, SVG_VIEWER_SCRIPT } from '../../../core/render/viewer-bundle.generated.ts';
import { bundleViewers, GENERATED_PATH, renderBundleModule } from '../../../ui/viewers/bundle-viewers.ts';

describe('viewer bundles', () => {
  it('are up to date with ui/viewers/*-viewer.ts', async () => {
    const fresh = await renderBundleModule(await bundleViewers());
    assert.ok(
      fresh === readFileSync(GENERATED_PATH, 'utf8'),
      'core/render/viewer-bundle.generated.ts is stale: run npm run build:viewer',
    );
  });

  it('can sit in an SVG CDATA section and an HTML <script> element: ASCII, no ]]>, </script or <!--', () => {
    for (const script of [SVG_VIEWER_SCRIPT, HTML_VIEWER_SCRIPT]) {
      assert.ok(script.length > 1000, 'a whole viewer');
      assert.match(script, /^"use strict";\(\(\)=>\{[^]*\}\)\(\);$/, 'one IIFE');
      assert.doesNotMatch(script, /[^\x20-\x7e]/, 'ASCII only');
      assert.ok(!script.includes(']]>'));
      assert.doesNotMatch(script, /<\/script|<!--/i);
    }
  });
});
