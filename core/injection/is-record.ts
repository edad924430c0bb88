// The one "is this a JSON object" check of the injection core: manifests and admission requests arrive as
// unknown JSON, and every reader narrows them with this before looking inside.

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
