// A LabelSelector object as the `labelSelector` query parameter of a list or watch.
import type { V1LabelSelector } from '@kubernetes/client-node';

function requirement(expression: NonNullable<V1LabelSelector['matchExpressions']>[number]): string {
  const values = (expression.values ?? []).join(',');
  switch (expression.operator) {
    case 'In':
      return `${expression.key} in (${values})`;
    case 'NotIn':
      return `${expression.key} notin (${values})`;
    case 'Exists':
      return expression.key;
    case 'DoesNotExist':
      return `!${expression.key}`;
    default:
      throw new Error(
        `label selector operator ${expression.operator} is not one of In, NotIn, Exists, DoesNotExist`,
      );
  }
}

export function formatLabelSelector(selector: V1LabelSelector): string {
  return [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(selector.matchExpressions ?? []).map(requirement),
  ].join(',');
}
