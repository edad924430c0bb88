// Catalog list pages: an opaque continue token that encodes where the next page starts.
import { FurnaceError } from '../../core/contract/errors.ts';

export interface Page<T> {
  items: T[];
  /** Present when more items follow; pass it back as `continue`. */
  continue?: string;
}

export function encodeContinue(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

export function decodeContinue(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through to the error below
  }
  throw new FurnaceError('ERR_INVALID_PARAMETER', 'continue is not a token this server issued', {
    field: 'continue',
  });
}

/**
 * One page of the items that `keep` accepts, in the order given. The items are read only until the page is
 * full and one more kept item shows that another page follows: a first page costs its size, not the list's.
 */
export async function paginate<T>(
  items: Iterable<T>,
  keep: (item: T) => boolean | Promise<boolean>,
  limit: number,
  token: string | undefined,
): Promise<Page<T>> {
  const offset = decodeContinue(token);
  const page: Page<T> = { items: [] };
  let kept = 0;
  for (const item of items) {
    if (!(await keep(item))) continue;
    if (kept === offset + limit) {
      page.continue = encodeContinue(offset + limit);
      break;
    }
    if (kept >= offset) page.items.push(item);
    kept += 1;
  }
  return page;
}
