// The Recording CustomResourceDefinition: a declarative recording of one pod or of the pods a selector
// picks, once or on a schedule. The spec is immutable: a different recording is a new object.
import { PROFILE_TYPES } from '../contract/profile-types.ts';
import {
  RECORDING_CRD_NAME,
  RECORDING_DURATION_RANGE,
  RECORDING_FREQUENCY_RANGE,
  RECORDING_KEEP_RANGE,
  RECORDING_PHASES,
  RECORDING_PLURAL,
  RECORDING_PROFILERS,
  RECORDING_SINGULAR,
  TOP_FUNCTIONS_MAX,
  DEFAULT_RECORDING_KEEP,
  POD_RESULT_STATES,
  type MergedResult,
  type RecordingPodResult,
  type ContinuousStatus,
  type RecordingSpec,
  type RecordingStatus,
  type TopFunction,
} from './resources.ts';
import { CONTINUOUS_RULES, continuousSchema } from './recording-continuous-schema.ts';
import { WATCH_RULES, watchSchema, watchStatusSchema } from './recording-watch-schema.ts';
import { conditionsSchema, labelSelectorSchema } from './kube-schemas.ts';
import { API_GROUP, API_VERSION, KIND_RECORDING } from '../contract/names.ts';
import { CALL_GRAPHS, DEFAULT_PARAMS, EVENTS, SYMBOL_SOURCES } from '../contract/recording-params.ts';
import { MAX_SINKS_PER_RECORDING, SINK_NAME_PATTERN } from '../sinks/sink.ts';
import { DELIVERY_STATES } from '../sinks/delivery.ts';
import type { SchemaOf } from './schema-types.ts';
import { linksSchema } from './recording-links.ts';
import { customResourceDefinition, type CustomResourceDefinition } from './crd-object.ts';

/**
 * Five cron fields (minute hour day-of-month month day-of-week), as a CronJob's schedule, or one of the
 * @hourly-style shorthands: the shape of what operator/recording/cron.ts reads (it checks the values).
 */
export const CRON_PATTERN =
  '^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[0-9A-Za-z*/,-]+( +[0-9A-Za-z*/,-]+){4})$';

const time = { type: 'string', format: 'date-time' } as const;
const count = { type: 'integer', format: 'int64', minimum: 0 } as const;

const resultsSchema = {
  type: 'array',
  maxItems: 1000,
  items: {
    type: 'object',
    required: ['pod', 'state'],
    properties: {
      pod: { type: 'string' },
      recordingId: { type: 'string' },
      state: { type: 'string', enum: POD_RESULT_STATES },
      samples: count,
      message: { type: 'string' },
      links: linksSchema,
      deliveries: {
        type: 'array',
        maxItems: 16,
        items: {
          type: 'object',
          required: ['sink', 'state', 'attempts'],
          properties: {
            sink: { type: 'string' },
            state: { type: 'string', enum: DELIVERY_STATES },
            attempts: { type: 'integer', minimum: 0 },
            lastError: { type: 'string' },
          },
        },
      },
    },
  },
} as const satisfies SchemaOf<RecordingPodResult[]>;

export const recordingSpecSchema = {
  type: 'object',
  description: 'What to record. Immutable: to record differently, create another Recording.',
  required: ['target'],
  'x-kubernetes-validations': [
    { rule: 'self == oldSelf', message: 'spec is immutable: create a new Recording instead' },
    {
      rule: '!has(self.keep) || has(self.schedule)',
      message: 'spec.keep is only allowed with spec.schedule',
      fieldPath: '.keep',
    },
    ...CONTINUOUS_RULES,
    ...WATCH_RULES,
  ],
  properties: {
    target: {
      type: 'object',
      description: 'Exactly one of pod (a pod name) and selector (every matching pod of the namespace).',
      'x-kubernetes-validations': [
        {
          rule: 'has(self.pod) != has(self.selector)',
          message: 'exactly one of spec.target.pod and spec.target.selector must be set',
        },
      ],
      properties: {
        pod: {
          type: 'string',
          maxLength: 253,
          pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
        },
        selector: labelSelectorSchema,
      },
    },
    container: { type: 'string', maxLength: 63, description: 'Container to record; all by default.' },
    durationSeconds: {
      type: 'integer',
      minimum: RECORDING_DURATION_RANGE.min,
      maximum: RECORDING_DURATION_RANGE.max,
      description:
        "Seconds to record, required unless continuous; the server's limits.maxDurationSeconds still applies.",
    },
    continuous: continuousSchema,
    frequency: {
      type: 'integer',
      minimum: RECORDING_FREQUENCY_RANGE.min,
      maximum: RECORDING_FREQUENCY_RANGE.max,
      description: `Sampling frequency, Hz; ${DEFAULT_PARAMS.frequency} (the sidecar's default) when unset.`,
    },
    event: {
      type: 'string',
      enum: EVENTS,
      description: `perf event; ${DEFAULT_PARAMS.event} when unset.`,
    },
    callGraph: {
      type: 'string',
      enum: CALL_GRAPHS,
      description: `How perf walks the stacks: auto (dwarf where the recorded programs lack frame pointers, fp otherwise), fp or dwarf; ${DEFAULT_PARAMS.callGraph} when unset.`,
    },
    symbols: { type: 'string', enum: SYMBOL_SOURCES },
    profiler: { type: 'string', enum: RECORDING_PROFILERS, default: 'perf' },
    profile: {
      type: 'string',
      enum: PROFILE_TYPES,
      description:
        'What each recording measures: cpu (when unset), offcpu (time blocked), wall (on and off the CPU), heap (profilers pprof and node), goroutine, allocs, mutex or block (profiler pprof); the server refuses a type the profiler does not record.',
    },
    schedule: {
      type: 'string',
      maxLength: 128,
      pattern: CRON_PATTERN,
      description:
        'Cron schedule in UTC, five fields (as a CronJob) or @hourly, @daily, @weekly, @monthly, @yearly; without it the recording runs once.',
    },
    sinks: {
      type: 'array',
      maxItems: MAX_SINKS_PER_RECORDING,
      'x-kubernetes-list-type': 'set',
      items: { type: 'string', maxLength: 63, pattern: SINK_NAME_PATTERN },
      description:
        'Sinks of the Furnace installation, by name (never a URL), that each recording is pushed to as well; the server refuses a name it does not have.',
    },
    keep: {
      type: 'integer',
      minimum: RECORDING_KEEP_RANGE.min,
      maximum: RECORDING_KEEP_RANGE.max,
      description: `Runs of a scheduled recording kept; ${DEFAULT_RECORDING_KEEP} when unset. Only with schedule.`,
    },
    watch: watchSchema,
  },
} as const satisfies SchemaOf<RecordingSpec>;

const mergedSchema = {
  type: 'object',
  description: 'The merged flame graph when more than one pod was recorded.',
  required: ['links', 'samples'],
  properties: { links: linksSchema, samples: count },
} as const satisfies SchemaOf<MergedResult>;

const topFunctionsSchema = {
  type: 'array',
  maxItems: TOP_FUNCTIONS_MAX,
  items: {
    type: 'object',
    required: ['name', 'percent'],
    properties: { name: { type: 'string' }, percent: { type: 'number', minimum: 0, maximum: 100 } },
  },
} as const satisfies SchemaOf<TopFunction[]>;

const continuousStatusSchema = {
  type: 'object',
  description: 'A continuous Recording whose selection the server has: since when, and where its data is.',
  required: ['since', 'frequency', 'links'],
  properties: {
    since: time,
    frequency: { type: 'integer', minimum: 0 },
    links: {
      type: 'object',
      description: 'Server paths: the UI page of the namespace, the range query (add &from=<ms>&to=<ms>).',
      required: ['ui', 'stacks'],
      properties: { ui: { type: 'string' }, stacks: { type: 'string' } },
    },
  },
} as const satisfies SchemaOf<ContinuousStatus>;

export const recordingStatusSchema = {
  type: 'object',
  required: ['phase'],
  properties: {
    phase: { type: 'string', enum: RECORDING_PHASES },
    continuous: continuousStatusSchema,
    observedGeneration: { type: 'integer', format: 'int64' },
    message: { type: 'string' },
    lastRunTime: time,
    nextRunTime: time,
    results: resultsSchema,
    merged: mergedSchema,
    samples: count,
    topFunctions: topFunctionsSchema,
    runs: {
      type: 'array',
      maxItems: RECORDING_KEEP_RANGE.max,
      items: {
        type: 'object',
        required: ['startTime', 'phase', 'results'],
        properties: {
          startTime: time,
          phase: { type: 'string', enum: RECORDING_PHASES },
          message: { type: 'string' },
          results: resultsSchema,
          merged: mergedSchema,
          samples: count,
          topFunctions: topFunctionsSchema,
        },
      },
    },
    watch: watchStatusSchema,
    conditions: conditionsSchema,
  },
} as const satisfies SchemaOf<RecordingStatus>;

export function buildRecordingCrd(): CustomResourceDefinition {
  return customResourceDefinition({
    name: RECORDING_CRD_NAME,
    group: API_GROUP,
    version: API_VERSION,
    names: {
      kind: KIND_RECORDING,
      plural: RECORDING_PLURAL,
      singular: RECORDING_SINGULAR,
      listKind: `${KIND_RECORDING}List`,
    },
    description: 'A CPU recording of a pod, or of the pods a selector picks, once or on a schedule.',
    spec: recordingSpecSchema,
    status: recordingStatusSchema,
    required: ['spec'],
    printerColumns: [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Target', type: 'string', jsonPath: '.spec.target' },
      { name: 'Samples', type: 'integer', jsonPath: '.status.samples' },
      { name: 'Last run', type: 'date', jsonPath: '.status.lastRunTime' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });
}
