// A LabelSelector (matchLabels, matchExpressions) as the API server's `labelSelector` query string.
import type { LabelSelector } from './recording-types.ts';

/** `a=b,c in (d,e),!f`; an empty selector is '' and matches every pod, as in Kubernetes. */
export function formatLabelSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    if (operator === 'In') parts.push(`${key} in (${values.join(',')})`);
    else if (operator === 'NotIn') parts.push(`${key} notin (${values.join(',')})`);
    else if (operator === 'Exists') parts.push(key);
    else parts.push(`!${key}`);
  }
  return parts.join(',');
}
