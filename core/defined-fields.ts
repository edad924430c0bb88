// Optional fields are left out rather than set to undefined: what is stored, logged or compared then shows
// only what is known.

/** The fields whose value is not undefined, in their order. */
export function definedFields<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
