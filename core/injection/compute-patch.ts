// The admission patch: a diff of the original and the mutated pod, never hand-written pointers.
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

/** managedFields belong to the API server's field tracking; a patch must not touch them. */
function withoutManagedFields(object: object): object {
  const metadata = (object as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null || !('managedFields' in metadata)) return object;
  const { managedFields: _ignored, ...rest } = metadata as Record<string, unknown>;
  return { ...object, metadata: rest };
}

export function computePatch(original: object, mutated: object): Operation[] {
  return jsonPatch.compare(withoutManagedFields(original), withoutManagedFields(mutated));
}

/** Applies a patch to a copy of the document (for tests and the CLI's self-check). */
export function applyPatch<T extends object>(document: T, patch: readonly Operation[]): T {
  return jsonPatch.applyPatch(structuredClone(document), [...patch], true, false).newDocument;
}
