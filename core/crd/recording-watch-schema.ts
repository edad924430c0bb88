// The rollout watch of a Recording in its CRD: the fields it refuses beside it (CEL rules the API server checks,
// each naming the field and why), its own settings' schema, and the schema of what the status says of it.
import {
  CHANGE_DIRECTIONS,
  COMPARISON_AGAINST,
  COMPARISON_VERDICTS,
  DEFAULT_WATCH_READY_TIMEOUT_SECONDS,
  DEFAULT_WATCH_SETTLE_SECONDS,
  WATCH_COMPARISONS_KEPT,
  WATCH_KINDS,
  WATCH_READY_TIMEOUT_RANGE,
  WATCH_SETTLE_RANGE,
  WATCH_TOP_CHANGES,
  WATCH_VERSIONS_KEPT,
  type RecordingWatch,
  type WatchStatus,
} from './recording-watch.ts';
import { linksSchema } from './recording-links.ts';
import type { SchemaOf, ValidationRule } from './schema-types.ts';

function notWithWatch(field: string, why: string, allowed = `!has(self.${field})`): ValidationRule {
  return {
    rule: `!has(self.watch) || ${allowed}`,
    message: `spec.${field} is not allowed with spec.watch: ${why}`,
    fieldPath: `.${field}`,
    reason: 'FieldValueForbidden',
  };
}

export const WATCH_RULES: readonly ValidationRule[] = [
  notWithWatch('schedule', 'the workload’s rollouts decide when it records'),
  notWithWatch('keep', `the watch keeps the last ${WATCH_VERSIONS_KEPT} versions`),
  notWithWatch('continuous', 'a watch records each version; continuous windows are not compared yet'),
  {
    rule: '!has(self.watch) || has(self.target.selector)',
    message:
      'spec.target.pod is not allowed with spec.watch: the watch records the workload’s pods; use spec.target.selector to narrow them ({} takes them all)',
    fieldPath: '.target',
    reason: 'FieldValueForbidden',
  },
];

/** The workload's name: a DNS subdomain, as every workload kind's. */
const NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export const watchSchema = {
  type: 'object',
  description:
    'Follow a workload of this namespace: each time its pod template changes, record the new version once its pods are Ready and settled, as the last one was, and compare the two.',
  required: ['kind', 'name'],
  properties: {
    kind: { type: 'string', enum: WATCH_KINDS },
    name: { type: 'string', maxLength: 253, pattern: NAME_PATTERN },
    settleSeconds: {
      type: 'integer',
      minimum: WATCH_SETTLE_RANGE.min,
      maximum: WATCH_SETTLE_RANGE.max,
      description: `Seconds after the last new pod became Ready before recording; ${DEFAULT_WATCH_SETTLE_SECONDS} when unset.`,
    },
    readyTimeoutSeconds: {
      type: 'integer',
      minimum: WATCH_READY_TIMEOUT_RANGE.min,
      maximum: WATCH_READY_TIMEOUT_RANGE.max,
      description: `Seconds a new version's pods may take to be Ready before the VersionRecorded condition says they never were; ${DEFAULT_WATCH_READY_TIMEOUT_SECONDS} when unset.`,
    },
  },
} as const satisfies SchemaOf<RecordingWatch>;

const time = { type: 'string', format: 'date-time' } as const;
const share = { type: 'number', minimum: 0, maximum: 100 } as const;
const count = { type: 'integer', format: 'int64', minimum: 0 } as const;

export const watchStatusSchema = {
  type: 'object',
  description:
    'The versions of the workload recorded, newest first, and how each compared with the one before.',
  properties: {
    current: {
      type: 'object',
      required: ['version', 'seenAt'],
      properties: { version: { type: 'string' }, seenAt: time, readyAt: time },
    },
    recording: { type: 'string' },
    versions: {
      type: 'array',
      maxItems: WATCH_VERSIONS_KEPT,
      items: {
        type: 'object',
        required: ['version', 'recordedAt', 'recordings', 'samples'],
        properties: {
          version: { type: 'string' },
          recordedAt: time,
          recordings: {
            type: 'array',
            maxItems: 1000,
            items: {
              type: 'object',
              required: ['pod', 'recordingId'],
              properties: { pod: { type: 'string' }, recordingId: { type: 'string' } },
            },
          },
          samples: { type: 'integer', format: 'int64', minimum: 0 },
        },
      },
    },
    flags: {
      type: 'object',
      description: 'Comparisons with the version before flagged since the Recording was created, by verdict.',
      required: ['regressed', 'improved'],
      properties: { regressed: count, improved: count },
    },
    baselineFlags: {
      type: 'object',
      description:
        "Comparisons with the workload's pinned baseline flagged since the Recording was created, by verdict.",
      required: ['regressed', 'improved'],
      properties: { regressed: count, improved: count },
    },
    comparisons: {
      type: 'array',
      maxItems: WATCH_COMPARISONS_KEPT,
      items: {
        type: 'object',
        required: ['from', 'to', 'verdict', 'comparedAt', 'samples', 'changes', 'links'],
        properties: {
          against: {
            type: 'string',
            enum: COMPARISON_AGAINST,
            description:
              "previous (the version before; when unset) or baseline (the workload's pinned recording, named by from).",
          },
          from: { type: 'string', maxLength: 253 },
          to: { type: 'string' },
          verdict: { type: 'string', enum: COMPARISON_VERDICTS },
          comparedAt: time,
          samples: {
            type: 'object',
            required: ['before', 'after'],
            properties: { before: count, after: count },
          },
          reasons: { type: 'array', maxItems: 8, items: { type: 'string' } },
          notComparable: { type: 'array', maxItems: WATCH_TOP_CHANGES * 2, items: { type: 'string' } },
          changes: {
            type: 'array',
            maxItems: WATCH_TOP_CHANGES * 2,
            items: {
              type: 'object',
              required: ['name', 'direction', 'before', 'after'],
              properties: {
                name: { type: 'string' },
                direction: { type: 'string', enum: CHANGE_DIRECTIONS },
                before: share,
                after: share,
              },
            },
          },
          links: {
            type: 'object',
            required: ['ui', 'before', 'after'],
            properties: { ui: { type: 'string' }, before: linksSchema, after: linksSchema },
          },
        },
      },
    },
  },
} as const satisfies SchemaOf<WatchStatus>;
