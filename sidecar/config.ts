// Sidecar configuration: the one loader, built once from the environment map that main.ts hands in.
// An invalid or inconsistent variable throws a ConfigError (core/config/config-error.ts) naming the variable,
// its value and the allowed values; main.ts prints that one line and exits 1.
import { ConfigError } from '../core/config/config-error.ts';
import {
  isHttpUrl,
  LOG_LEVELS,
  readChoice,
  readInteger,
  readJson,
  readText,
  type LogLevel,
  type Setting,
} from '../core/config/config-values.ts';
import { DEFAULT_INJECTION_CONFIG } from '../core/injection/injection-config.ts';
import { DEFAULT_LIMITS, type RecordingLimits } from '../core/contract/limits.ts';
import { quantityBytes } from '../core/quantity.ts';
import { readDebugInfoConfig, type DebugInfoConfig } from './symbols/debuginfo-config.ts';
import {
  SIDECAR_ENV,
  SIDECAR_LOCAL_ENV,
  SIDECAR_MOUNT_PATHS,
  SIDECAR_PORT,
  SIDECAR_TLS_PORT,
} from '../core/contract/names.ts';

/** Extra knobs that are not part of the webhook contract; all optional. */
export const SIDECAR_TUNING_ENV = {
  /** Largest perf.data, bytes; perf is stopped when the file grows past it. */
  maxPerfDataBytes: 'FURNACE_MAX_PERF_DATA_BYTES',
  /** Longest recording, seconds (capped by the shared default limit). */
  maxDurationSeconds: 'FURNACE_MAX_DURATION_SECONDS',
  /** Highest sampling frequency, Hz. */
  maxFrequency: 'FURNACE_MAX_FREQUENCY',
  /** Finished recordings kept on local disk. */
  keepRecordings: 'FURNACE_KEEP_RECORDINGS',
  /** Bytes the kept recordings may take on local disk. */
  keepBytes: 'FURNACE_KEEP_BYTES',
  /**
   * Pull secrets for `symbols: image`: a `.dockerconfigjson` file, or a directory of `*.dockerconfigjson`
   * files (default in a pod: the webhook's projected pull-secret volume).
   */
  pullSecretPath: 'FURNACE_PULL_SECRET_PATH',
  /** JSON map of registry → list of mirrors, e.g. {"docker.io":["mirror.local:5000"]}. */
  registryMirrors: 'FURNACE_REGISTRY_MIRRORS',
  /** Comma-separated registries reached without TLS verification (test registries). */
  insecureRegistries: 'FURNACE_INSECURE_REGISTRIES',
  /** perf binary; default `perf` from PATH. */
  perfPath: 'FURNACE_PERF',
  /** podman binary; default `podman` from PATH. */
  podmanPath: 'FURNACE_PODMAN',
  /** bpftrace binary (profiler bpftrace); default `bpftrace` from PATH. */
  bpftracePath: 'FURNACE_BPFTRACE',
  /** Profiles offcpu and wall: entries each map of the scheduler program holds (distinct stacks). */
  schedMaxStacks: 'FURNACE_SCHED_MAX_STACKS',
  /** Profiles offcpu and wall: the shortest time away from the CPU counted, µs. */
  schedMinBlockedUs: 'FURNACE_SCHED_MIN_BLOCKED_US',
  /** Level of the API's request log. */
  logLevel: 'FURNACE_LOG_LEVEL',
  /** Root of the secrets that pprof recordings name in pprof.tls.secret (default SIDECAR_MOUNT_PATHS.pprofTlsDir). */
  pprofTlsDir: 'FURNACE_PPROF_TLS_DIR',
} as const;

export interface TargetContainer {
  name: string;
  image: string;
}

export type SidecarMode = 'pod' | 'local';

export interface SidecarConfig {
  /** `pod` when FURNACE_POD_UID is set (injected container, or the test harness's pod); else `local`. */
  mode: SidecarMode;
  serverUrl?: string;
  serverCa?: string;
  /** A file with the server CA that is kept current (FURNACE_SERVER_CA_FILE); wins over serverCa. */
  serverCaFile?: string;
  podName: string;
  podNamespace: string;
  podUid?: string;
  podIp?: string;
  nodeName?: string;
  targets: TargetContainer[];
  tokenPath?: string;
  registrationSecret?: string;
  host: string;
  port: number;
  /** The API over HTTPS; the plain port then answers only /healthz (the kubelet's probes). */
  tlsPort: number;
  dataDir: string;
  limits: RecordingLimits;
  maxPerfDataBytes: number;
  /** Bytes the sidecar may have in dataDir at any time: the output volume's size limit less a margin. */
  diskBudgetBytes: number;
  /**
   * Bytes podman's storage (SIDECAR_MOUNT_PATHS.containerStorageDir) may hold after a pull for symbols:
   * the container-storage volume's size limit less a margin. Unset in local mode, where that storage is
   * the machine's own, unless FURNACE_STORAGE_SIZE_LIMIT is set.
   */
  storageBudgetBytes?: number;
  keepRecordings: number;
  keepBytes: number;
  pullSecretPath?: string;
  registryMirrors: Record<string, string[]>;
  insecureRegistries: string[];
  perfPath: string;
  podmanPath: string;
  bpftracePath: string;
  /** The scheduler recorder's map bound and minimum time away (ns); sched-profiler.ts's defaults when unset. */
  schedMaxStacks?: number;
  schedMinBlockedNs?: number;
  logLevel: LogLevel;
  /** Root of the directories pprof.tls.secret names; a request never gives a path. */
  pprofTlsDir: string;
  /** debuginfod servers for stripped binaries (DEBUGINFOD_URLS) and the caps on what they send. */
  debugInfo: DebugInfoConfig;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The setting a variable holds, trimmed; its key is the variable's name. */
function setting(env: Env, name: string): Setting {
  return { key: name, value: env[name]?.trim() };
}

function text(env: Env, name: string): string | undefined {
  const value = readText(setting(env, name), '');
  return value === '' ? undefined : value;
}

/** The bounds a whole-number setting is read within: `fallback` when unset, `max` unbounded by default. */
interface IntegerRange {
  fallback: number;
  min: number;
  max?: number;
}

function integer(env: Env, name: string, range: IntegerRange): number {
  return readInteger(setting(env, name), range.fallback, range.min, range.max ?? Number.MAX_SAFE_INTEGER);
}

const TARGETS_ALLOWED = 'a JSON list of {"name": "…", "image": "…"}';
const MIRRORS_ALLOWED =
  'a JSON object of registry → list of mirrors, e.g. {"docker.io": ["mirror.local:5000"]}';

function parseTargets(env: Env): TargetContainer[] {
  const value = readJson(setting(env, SIDECAR_ENV.targets), TARGETS_ALLOWED) ?? [];
  if (!Array.isArray(value)) throw new ConfigError(SIDECAR_ENV.targets, value, TARGETS_ALLOWED);
  return value.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { name, image } = item as Record<string, unknown>;
    return typeof name === 'string' ? [{ name, image: typeof image === 'string' ? image : '' }] : [];
  });
}

function parseMirrors(env: Env): Record<string, string[]> {
  const name = SIDECAR_TUNING_ENV.registryMirrors;
  const value = readJson(setting(env, name), MIRRORS_ALLOWED) ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(name, value, MIRRORS_ALLOWED);
  }
  const mirrors: Record<string, string[]> = {};
  for (const [registry, list] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(list) || !list.every((m) => typeof m === 'string')) {
      throw new ConfigError(`${name}[${JSON.stringify(registry)}]`, list, 'a list of mirror strings');
    }
    mirrors[registry] = list;
  }
  return mirrors;
}

function parseLimits(env: Env): RecordingLimits {
  return {
    ...DEFAULT_LIMITS,
    maxDurationSeconds: Math.min(
      integer(env, SIDECAR_TUNING_ENV.maxDurationSeconds, {
        fallback: DEFAULT_LIMITS.maxDurationSeconds,
        min: 1,
      }),
      DEFAULT_LIMITS.maxDurationSeconds,
    ),
    maxFrequency: Math.min(
      integer(env, SIDECAR_TUNING_ENV.maxFrequency, { fallback: DEFAULT_LIMITS.maxFrequency, min: 1 }),
      DEFAULT_LIMITS.maxFrequency,
    ),
    maxConcurrentPerSidecar: 1,
  };
}

/**
 * What of a volume's size limit the sidecar budgets for itself: the kubelet evicts the whole pod once an
 * emptyDir passes its limit, and it counts filesystem blocks and directories the sidecar does not see.
 */
export const BUDGET_SHARE = 0.9;

/** The output size limit outside a pod, where no volume sets one (FURNACE_OUTPUT_SIZE_LIMIT overrides). */
const LOCAL_OUTPUT_SIZE_LIMIT = '4Gi';

function budget(env: Env, name: string, fallback: string): number {
  const text = env[name]?.trim() || fallback;
  const bytes = quantityBytes(text);
  if (bytes === undefined || bytes < 1024 * 1024)
    throw new ConfigError(name, text, 'a Kubernetes quantity of at least 1Mi, such as 512Mi or 1Gi');
  return Math.floor(bytes * BUDGET_SHARE);
}

/** Kept recordings may take half the disk budget at most, so that a new recording always has the rest. */
function keepBytes(env: Env, diskBudgetBytes: number): number {
  const half = Math.floor(diskBudgetBytes / 2);
  const name = SIDECAR_TUNING_ENV.keepBytes;
  const value = integer(env, name, { fallback: Math.min(2 * 1024 * 1024 * 1024, half), min: 1 });
  if (value > half) {
    throw new ConfigError(
      name,
      env[name],
      `at most ${half} (half the disk budget, from ${SIDECAR_ENV.outputSizeLimit})`,
    );
  }
  return value;
}

/** Builds the configuration; throws ConfigError naming the variable that is wrong or missing. */
export function readSidecarConfig(env: Env, defaults: { hostname: string; tmpDir: string }): SidecarConfig {
  const podUid = text(env, SIDECAR_ENV.podUid);
  const mode: SidecarMode = podUid === undefined ? 'local' : 'pod';
  const link = readServerLink(env);
  const podIp = text(env, SIDECAR_ENV.podIp);
  const diskBudgetBytes = budget(
    env,
    SIDECAR_ENV.outputSizeLimit,
    mode === 'pod' ? DEFAULT_INJECTION_CONFIG.outputSizeLimit : LOCAL_OUTPUT_SIZE_LIMIT,
  );
  return {
    mode,
    ...link,
    podName: text(env, SIDECAR_ENV.podName) ?? defaults.hostname,
    podNamespace: text(env, SIDECAR_ENV.podNamespace) ?? 'local',
    podUid,
    podIp,
    nodeName: text(env, SIDECAR_ENV.nodeName),
    targets: parseTargets(env),
    host: podIp ?? '127.0.0.1',
    port: integer(env, SIDECAR_LOCAL_ENV.port, { fallback: SIDECAR_PORT, min: 0, max: 65535 }),
    tlsPort: integer(env, SIDECAR_LOCAL_ENV.tlsPort, { fallback: SIDECAR_TLS_PORT, min: 0, max: 65535 }),
    dataDir:
      text(env, SIDECAR_LOCAL_ENV.dataDir) ??
      (mode === 'pod' ? SIDECAR_MOUNT_PATHS.outputDir : `${defaults.tmpDir}/furnace-sidecar`),
    ...readBudgets(env, mode, diskBudgetBytes),
    ...readTools(env, mode),
    debugInfo: readDebugInfoConfig(env),
    schedMaxStacks: integer(env, SIDECAR_TUNING_ENV.schedMaxStacks, {
      fallback: 10_240,
      min: 1,
      max: 1_000_000,
    }),
    schedMinBlockedNs:
      1000 * integer(env, SIDECAR_TUNING_ENV.schedMinBlockedUs, { fallback: 10, min: 1, max: 1_000_000 }),
  };
}

type ServerLink = Pick<
  SidecarConfig,
  'serverUrl' | 'serverCa' | 'serverCaFile' | 'tokenPath' | 'registrationSecret'
>;

/** How the sidecar reaches the server and proves who it is: a token file, or local mode's shared secret. */
function readServerLink(env: Env): ServerLink {
  const tokenPath = text(env, SIDECAR_ENV.tokenPath);
  const registrationSecret = text(env, SIDECAR_LOCAL_ENV.registrationSecret);
  const serverUrl = text(env, SIDECAR_ENV.serverUrl);
  if (serverUrl !== undefined && tokenPath === undefined && registrationSecret === undefined) {
    throw new ConfigError(
      SIDECAR_ENV.tokenPath,
      undefined,
      `a token file path, or else ${SIDECAR_LOCAL_ENV.registrationSecret}, while ${SIDECAR_ENV.serverUrl} is set`,
    );
  }
  if (serverUrl !== undefined && !isHttpUrl(serverUrl))
    throw new ConfigError(SIDECAR_ENV.serverUrl, serverUrl, 'an https:// or http:// URL');
  return {
    serverUrl: serverUrl?.replace(/\/+$/, ''),
    serverCa: text(env, SIDECAR_ENV.serverCa),
    serverCaFile: text(env, SIDECAR_ENV.serverCaFile),
    tokenPath,
    registrationSecret,
  };
}

type Budgets = Pick<
  SidecarConfig,
  'limits' | 'maxPerfDataBytes' | 'diskBudgetBytes' | 'storageBudgetBytes' | 'keepRecordings' | 'keepBytes'
>;

/** What a recording may ask for and what the sidecar may keep on disk. */
function readBudgets(env: Env, mode: SidecarMode, diskBudgetBytes: number): Budgets {
  return {
    limits: parseLimits(env),
    maxPerfDataBytes: integer(env, SIDECAR_TUNING_ENV.maxPerfDataBytes, {
      fallback: 256 * 1024 * 1024,
      min: 4096,
    }),
    diskBudgetBytes,
    storageBudgetBytes:
      mode === 'pod' || text(env, SIDECAR_ENV.storageSizeLimit) !== undefined
        ? budget(env, SIDECAR_ENV.storageSizeLimit, DEFAULT_INJECTION_CONFIG.storageSizeLimit)
        : undefined,
    keepRecordings: integer(env, SIDECAR_TUNING_ENV.keepRecordings, { fallback: 10, min: 1 }),
    keepBytes: keepBytes(env, diskBudgetBytes),
  };
}

type Tools = Pick<
  SidecarConfig,
  | 'pullSecretPath'
  | 'registryMirrors'
  | 'insecureRegistries'
  | 'perfPath'
  | 'podmanPath'
  | 'bpftracePath'
  | 'logLevel'
  | 'pprofTlsDir'
>;

/** The binaries the sidecar runs, where it pulls images from, and its log level. */
function readTools(env: Env, mode: SidecarMode): Tools {
  return {
    pullSecretPath:
      text(env, SIDECAR_TUNING_ENV.pullSecretPath) ??
      (mode === 'pod' ? SIDECAR_MOUNT_PATHS.pullSecretsDir : undefined),
    registryMirrors: parseMirrors(env),
    insecureRegistries: (text(env, SIDECAR_TUNING_ENV.insecureRegistries) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    perfPath: text(env, SIDECAR_TUNING_ENV.perfPath) ?? 'perf',
    podmanPath: text(env, SIDECAR_TUNING_ENV.podmanPath) ?? 'podman',
    bpftracePath: text(env, SIDECAR_TUNING_ENV.bpftracePath) ?? 'bpftrace',
    logLevel: readChoice(setting(env, SIDECAR_TUNING_ENV.logLevel), 'warn', LOG_LEVELS),
    pprofTlsDir: text(env, SIDECAR_TUNING_ENV.pprofTlsDir) ?? SIDECAR_MOUNT_PATHS.pprofTlsDir,
  };
}
