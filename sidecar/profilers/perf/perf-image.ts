// The image a perf recording takes its symbols from (`symbols: image`), pulled and mounted with the
// recorder's settings: its pull secrets, mirrors, registries reached without TLS and podman's storage budget.
// A recording pulls it while perf records; symbolizing it again pulls it the same way (the recorder's copy
// may be gone: a new pod's empty storage, a pull removed over the budget), because the graphs' names of
// the image's binaries come from the image's files, which no other symbol source has.
import { randomUUID } from 'node:crypto';
import { SIDECAR_MOUNT_PATHS } from '../../../core/contract/names.ts';
import type { RecordingParams } from '../../../core/contract/recording-params.ts';
import type { ResymbolizeContext } from '../profiler.ts';
import type { SidecarConfig } from '../../config.ts';
import { diskUsage } from '../../host/disk-budget.ts';
import type { RunCommand } from '../../host/runtime.ts';
import { mountImage, type ImageMount } from '../../symbols/image-symbols.ts';
import { imageOf } from './perf-plan.ts';

export interface ImageDeps {
  config: SidecarConfig;
  run: RunCommand;
}

/** Pulls, creates (as `containerName`) and mounts the image; an Error says why it could not. */
export function mountRecordingImage(
  deps: ImageDeps,
  image: string,
  { containerName, workDir }: { containerName: string; workDir: string },
): Promise<ImageMount | Error> {
  const { config } = deps;
  return mountImage(deps.run, {
    podmanPath: config.podmanPath,
    image,
    ...(config.pullSecretPath === undefined ? {} : { pullSecretPath: config.pullSecretPath }),
    mirrors: config.registryMirrors,
    insecureRegistries: config.insecureRegistries,
    workDir,
    containerName,
    ...(config.storageBudgetBytes === undefined
      ? {}
      : {
          storage: {
            dir: SIDECAR_MOUNT_PATHS.containerStorageDir,
            budgetBytes: config.storageBudgetBytes,
            usage: diskUsage,
          },
        }),
  }).catch((error: Error) => error);
}

/**
 * For symbolizing a finished recording again: mounts the image it took its symbols from, found as at its
 * start (the one container of its targets, and that container's image); undefined for a recording that did
 * not ask for the image's symbols. The container gets a name of its own: the recording's was removed, and
 * one left by a recorder that died meanwhile must not stand in the way.
 */
export function recordedImage(
  deps: ImageDeps,
  recording: { id: string; params: RecordingParams; targets: ResymbolizeContext['targets'] },
  workDir: string,
): (() => Promise<ImageMount | Error>) | undefined {
  if (recording.params.symbols !== 'image') return undefined;
  return async () => {
    const image = imageOf(recording.targets, recording.params, deps.config);
    const containerName = `furnace-symbols-${recording.id}-again-${randomUUID().slice(0, 8)}`;
    return mountRecordingImage(deps, image, { containerName, workDir });
  };
}
