// `npm run build:viewer`: bundles the viewer scripts and rewrites core/render/viewer-bundle.generated.ts.
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { bundleViewers, GENERATED_PATH, renderBundleModule } from './bundle-viewers.ts';

const bundles = await bundleViewers();
await writeFile(GENERATED_PATH, await renderBundleModule(bundles));
process.stdout.write(
  `${relative(process.cwd(), GENERATED_PATH)}: svg ${bundles.svg.length} bytes, html ${bundles.html.length} bytes\n`,
);
