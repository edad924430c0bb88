// The setting of the `symbols: image` tests: a stripped hot program that runs from `<dir>/app`, an image
// holding its unstripped build at that same path, pushed to a loopback registry with basic auth (no local
// copy kept, so a recorder has to pull it), and the pull secrets a webhook-injected sidecar would get.
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { buildHotProgram } from './hot-program.ts';
import { PASSWORD, pushRootfsImage, startRegistryWithImage, USER } from './image-registry.ts';
import { run } from './processes.ts';

export interface StrippedImage {
  /** `host:port` of the registry. */
  registry: string;
  image: string;
  /** The stripped program, which has no function names of its own. */
  program: string;
  /** The webhook's projected volume: one `<secret>.dockerconfigjson` per imagePullSecret of the pod. */
  secrets: string;
}

export async function pushStrippedImage(t: TestContext, dir: string): Promise<StrippedImage> {
  const { registry, image } = await startRegistryWithImage(t, dir, 'hot');
  const appDir = `${dir}/app`;
  await mkdir(appDir);
  const unstripped = await buildHotProgram(dir, [`-DFURNACE_BUILD_TAG="${dir}"`]);
  const rootfs = `${dir}/rootfs`;
  await mkdir(`${rootfs}${appDir}`, { recursive: true });
  await copyFile(unstripped, `${rootfs}${appDir}/furnace-hot`);
  const program = `${appDir}/furnace-hot`;
  await run('strip', ['-o', program, unstripped]);
  assert.doesNotMatch(
    (await run('nm', ['-a', program]).catch((e: { stderr: string }) => e)).stderr ?? '',
    /furnace_heavy/,
  );
  await pushRootfsImage(t, dir, rootfs, image);

  const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  const secrets = `${dir}/pull-secrets`;
  await mkdir(secrets);
  await writeFile(`${secrets}/regcred.dockerconfigjson`, JSON.stringify({ auths: { [registry]: { auth } } }));
  const other = { auths: { 'quay.io': { auth: Buffer.from('a:b').toString('base64') } } };
  await writeFile(`${secrets}/another.dockerconfigjson`, JSON.stringify(other));
  return { registry, image, program, secrets };
}
