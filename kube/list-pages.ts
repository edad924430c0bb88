// A whole list read page by page (`limit` and `continue`), each item turned into what the caller keeps as
// its page arrives, so the list is never held in full as API objects. The last page's resourceVersion is
// the list's: a watch starts from it. The pod watch and the shared records' watch list this way.
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';

export interface ListPage<T> {
  items: readonly T[];
  resourceVersion?: string | undefined;
  /** The next page's token; empty or undefined on the last page. */
  continue?: string | undefined;
}

/** Every page from `page` (given the previous page's token), each item kept as `keep` makes it. */
export async function listInPages<T, K extends KubernetesObject>(
  page: (token: string | undefined) => Promise<ListPage<T>>,
  keep: (item: T) => K,
): Promise<KubernetesListObject<K>> {
  const items: K[] = [];
  let token: string | undefined;
  let resourceVersion: string | undefined;
  do {
    const answer = await page(token);
    for (const item of answer.items) items.push(keep(item));
    resourceVersion = answer.resourceVersion;
    token = answer.continue || undefined;
  } while (token);
  return { items, metadata: { resourceVersion } };
}
