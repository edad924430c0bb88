// The continuous mode of a Recording in its CRD: the spec fields it refuses (CEL rules the API server
// checks, each naming the field and why) and its own settings' schema.
import { CONTINUOUS_LIMITS } from '../continuous/continuous-plan.ts';
import type { RecordingContinuous } from './resources.ts';
import type { SchemaOf, ValidationRule } from './schema-types.ts';

/** A field a continuous Recording may not have: the node agent's one perf decides it, or nothing does. */
function notWithContinuous(field: string, why: string, allowed = `!has(self.${field})`): ValidationRule {
  return {
    rule: `!has(self.continuous) || ${allowed}`,
    message: `spec.${field} is not allowed with spec.continuous: ${why}`,
    fieldPath: `.${field}`,
    reason: 'FieldValueForbidden',
  };
}

/** The continuous mode's rules: which fields it refuses, and that it takes a selector. */
export const CONTINUOUS_RULES: readonly ValidationRule[] = [
  {
    rule: 'has(self.continuous) || has(self.durationSeconds)',
    message: 'spec.durationSeconds is required unless spec.continuous is set',
    fieldPath: '.durationSeconds',
    reason: 'FieldValueRequired',
  },
  notWithContinuous('durationSeconds', 'continuous profiling runs until the Recording is deleted'),
  notWithContinuous('schedule', 'continuous profiling never stops between runs'),
  notWithContinuous('keep', 'continuous windows are kept by the retention of the server'),
  notWithContinuous('sinks', 'sinks take finished recordings, not continuous windows'),
  notWithContinuous('frequency', 'set spec.continuous.frequency (1 to 99) instead'),
  notWithContinuous('event', 'continuous profiling samples cpu-clock'),
  notWithContinuous('symbols', 'the node agent reads symbols from /proc'),
  notWithContinuous('callGraph', 'continuous profiling walks frame pointers'),
  notWithContinuous(
    'profiler',
    'continuous profiling is perf in the node agent (only the default, perf, is accepted)',
    "!has(self.profiler) || self.profiler == 'perf'",
  ),
  notWithContinuous(
    'profile',
    'continuous profiling samples CPU (only cpu is accepted)',
    "!has(self.profile) || self.profile == 'cpu'",
  ),
  {
    rule: '!has(self.continuous) || has(self.target.selector)',
    message:
      'spec.target.pod is not allowed with spec.continuous: use spec.target.selector ({} selects every pod of the namespace)',
    fieldPath: '.target',
    reason: 'FieldValueForbidden',
  },
];

export const continuousSchema = {
  type: 'object',
  description:
    'Continuous profiling of the pods of target.selector while the Recording exists (needs create on recordings/continuous).',
  properties: {
    frequency: {
      type: 'integer',
      minimum: CONTINUOUS_LIMITS.frequency.min,
      maximum: CONTINUOUS_LIMITS.frequency.max,
      description: "Samples per second; the server's agent.continuous.frequency when unset.",
    },
  },
} as const satisfies SchemaOf<RecordingContinuous>;
