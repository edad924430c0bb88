// The explorer's search text as a pattern (or why it is not one) and, for a pattern, what it matched.
import { useMemo } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { parseSearch, type ParsedSearch } from './search-status.ts';
import { searchTree, type TreeSearch } from './search-tree.ts';

export interface GraphSearch {
  parsed: ParsedSearch;
  /** Undefined without a valid, non-empty pattern. */
  found: TreeSearch | undefined;
}

export function useGraphSearch(root: FlameNode, text: string): GraphSearch {
  const parsed = parseSearch(text);
  const found = useMemo(
    () => (parsed.ok && parsed.pattern ? searchTree(root, parsed.pattern) : undefined),
    [root, text],
  );
  return { parsed, found };
}
