// One frozen object for every equal copy of a value that many cached objects carry: every injected pod's
// sidecar parts in the pod watch's cache, every reviewed token's service-account user and groups. Values
// decoded from the API server's JSON are new objects and strings each time, so 5,000 pods or tokens that
// carry the same ones would otherwise keep 5,000 copies. Past `max` distinct values a new one is kept as
// it is; frozen, no reader can change one holder's copy under another's.

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Returns the one kept copy equal to a value (by its JSON), keeping up to `max` distinct ones. */
export function sharedCopies(max: number): <T>(value: T) => T {
  const kept = new Map<string, unknown>();
  return <T>(value: T): T => {
    const key = JSON.stringify(value);
    const known = kept.get(key);
    if (known !== undefined) return known as T;
    if (kept.size < max) kept.set(key, deepFreeze(value));
    return value;
  };
}

/** Returns the one kept copy of an equal string (strings decoded from JSON are new each time), up to `max`. */
export function sharedStrings(max: number): (value: string) => string {
  const kept = new Map<string, string>();
  return (value) => {
    const known = kept.get(value);
    if (known !== undefined) return known;
    if (kept.size < max) kept.set(value, value);
    return value;
  };
}
