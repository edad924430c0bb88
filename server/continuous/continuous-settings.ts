// The server's continuous profiling settings (`agent.continuous.*`): the default frequency, the window
// length of every node, and how windows are kept: retention by age and by size per namespace, and the
// ages after which they are merged into 1-minute and 10-minute windows. Pure, like config.ts.
import { ConfigError } from '../../core/config/config-error.ts';
import { readInteger } from '../../core/config/config-values.ts';
import { CONTINUOUS_LIMITS } from '../../core/continuous/continuous-plan.ts';
import type { ConfigReader } from '../config/config-reader.ts';

export interface ContinuousSettings {
  frequency: number;
  windowSeconds: number;
  retentionHours: number;
  /** Windows older than this are merged into 1-minute windows (default 1). */
  minuteWindowsAfterHours?: number;
  /** Windows older than this are merged into 10-minute windows (default 24). */
  tenMinuteWindowsAfterHours?: number;
  /** A namespace's windows beyond this many bytes are removed, oldest first (default 2 GiB). */
  maxBytesPerNamespace?: number;
}

export const CONTINUOUS_STORAGE_DEFAULTS = {
  retentionHours: 168,
  minuteWindowsAfterHours: 1,
  tenMinuteWindowsAfterHours: 24,
  maxBytesPerNamespace: 2 * 1024 ** 3,
} as const;

const MIB = 1024 ** 2;
const TIB = 1024 ** 4;

/** The ages of compaction, in ms, each with the slot length (s) windows of that age are merged into. */
export function compactionLevels(settings: ContinuousSettings): { resolution: number; afterMs: number }[] {
  const d = CONTINUOUS_STORAGE_DEFAULTS;
  const hour = 3_600_000;
  return [
    { resolution: 60, afterMs: (settings.minuteWindowsAfterHours ?? d.minuteWindowsAfterHours) * hour },
    {
      resolution: 600,
      afterMs: (settings.tenMinuteWindowsAfterHours ?? d.tenMinuteWindowsAfterHours) * hour,
    },
  ];
}

export function readContinuousSettings(reader: ConfigReader): Required<ContinuousSettings> {
  const { frequency, windowSeconds } = CONTINUOUS_LIMITS;
  const d = CONTINUOUS_STORAGE_DEFAULTS;
  const integer = (key: string, fallback: number, min: number, max: number) =>
    readInteger(reader.get(`agent.continuous.${key}`), fallback, min, max);
  const settings = {
    frequency: integer('frequency', frequency.default, frequency.min, frequency.max),
    windowSeconds: integer('windowSeconds', windowSeconds.default, windowSeconds.min, windowSeconds.max),
    retentionHours: integer('retentionHours', d.retentionHours, 1, 8760),
    minuteWindowsAfterHours: integer('minuteWindowsAfterHours', d.minuteWindowsAfterHours, 1, 8760),
    tenMinuteWindowsAfterHours: integer('tenMinuteWindowsAfterHours', d.tenMinuteWindowsAfterHours, 1, 8760),
    maxBytesPerNamespace: integer('maxBytesPerNamespace', d.maxBytesPerNamespace, MIB, TIB),
  };
  if (settings.tenMinuteWindowsAfterHours < settings.minuteWindowsAfterHours) {
    const key = 'agent.continuous.tenMinuteWindowsAfterHours';
    throw new ConfigError(
      key,
      settings.tenMinuteWindowsAfterHours,
      `at least agent.continuous.minuteWindowsAfterHours (${settings.minuteWindowsAfterHours})`,
      reader.get(key).source,
    );
  }
  return settings;
}
