// How the harness runs the project's TypeScript in a process of its own.
/**
 * Node's arguments that run a TypeScript file: none where Node strips the types itself (Node 22.18 and 24,
 * which the tests run on; a process starts on half the CPU that tsx's loader takes), else tsx. The sources
 * keep to syntax that stripping can run (`erasableSyntaxOnly` in tsconfig.json).
 */
export const TS_NODE_ARGS: readonly string[] = process.features.typescript ? [] : ['--import', 'tsx'];

/**
 * Node's compile cache (NODE_COMPILE_CACHE, set by test/run.sh), kept in a clean environment too: it only
 * saves the next process the same module's compilation.
 */
export const NODE_CACHE_ENV: Record<string, string> =
  process.env.NODE_COMPILE_CACHE === undefined ? {} : { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE };
