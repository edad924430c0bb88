// Limits that every entry point (sidecar, server proxy, operator, CLI) enforces the same way.
export interface RecordingLimits {
  /** Longest recording, seconds. */
  maxDurationSeconds: number;
  /** Highest sampling frequency, Hz. */
  maxFrequency: number;
  /** Recordings running at once on one sidecar. */
  maxConcurrentPerSidecar: number;
  /** Recordings running at once in one namespace. */
  maxConcurrentPerNamespace: number;
  /** Recordings running at once in the cluster. */
  maxConcurrentPerCluster: number;
  /** Largest single artifact, bytes. */
  maxArtifactBytes: number;
}

/**
 * How far ahead a start may ask sampling to begin (`startAt`), seconds: the recorder holds its slot and,
 * for perf, a started perf with its events off meanwhile, so a start cannot park a recorder for long.
 */
export const MAX_START_AHEAD_SECONDS = 600;

export const DEFAULT_LIMITS: Readonly<RecordingLimits> = {
  maxDurationSeconds: 600,
  maxFrequency: 999,
  maxConcurrentPerSidecar: 1,
  maxConcurrentPerNamespace: 5,
  maxConcurrentPerCluster: 50,
  maxArtifactBytes: 512 * 1024 * 1024,
};

/** The highest value a configuration may give each limit; a status claiming more is refused outright. */
export const LIMIT_CEILINGS: Readonly<Record<keyof RecordingLimits, number>> = {
  maxDurationSeconds: 86_400,
  maxFrequency: 100_000,
  // A sidecar records one at a time (409 otherwise); a higher value could not take effect.
  maxConcurrentPerSidecar: 1,
  maxConcurrentPerNamespace: 10_000,
  maxConcurrentPerCluster: 100_000,
  maxArtifactBytes: 1024 ** 4,
};
