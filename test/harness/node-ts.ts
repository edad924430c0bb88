// The compile cache every Node process the harness starts shares.
/**
 * Node's compile cache (NODE_COMPILE_CACHE, set by test/run.sh), kept in a clean environment too: it only
 * saves the next process the same module's compilation.
 */
export const NODE_CACHE_ENV: Record<string, string> =
  process.env.NODE_COMPILE_CACHE === undefined ? {} : { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE };
