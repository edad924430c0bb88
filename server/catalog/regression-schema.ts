// The answer of GET /api/v1/recordings/:id/regression: each comparison as core/compare returns it.
const shares = {
  type: 'object',
  properties: {
    self: { type: 'number' },
    total: { type: 'number' },
    selfShare: { type: 'number' },
    totalShare: { type: 'number' },
  },
} as const;

const functionComparison = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    before: shares,
    after: shares,
    selfChange: { type: 'number' },
    totalChange: { type: 'number' },
    ratio: { type: 'number' },
    z: { type: 'number' },
    p: { type: 'number' },
    q: { type: 'number' },
    verdict: { type: 'string' },
    reason: { type: 'string' },
  },
} as const;

const comparison = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    against: { type: 'string' },
    verdict: { type: 'string' },
    reasons: { type: 'array', items: { type: 'string' } },
    beforeSamples: { type: 'number' },
    afterSamples: { type: 'number' },
    background: { type: 'number' },
    tested: { type: 'integer' },
    statistic: { type: 'number' },
    functions: { type: 'array', items: functionComparison },
    options: {
      type: 'object',
      properties: {
        minEffect: { type: 'number' },
        minRatio: { type: 'number' },
        significance: { type: 'number' },
        top: { type: 'integer' },
        minSamples: { type: 'number' },
      },
    },
  },
} as const;

export const regressionAnswerSchema = {
  type: 'object',
  required: ['id', 'comparisons'],
  properties: {
    id: { type: 'string' },
    workload: { type: 'string' },
    comparisons: { type: 'array', items: comparison },
  },
} as const;
