// How a process of this project runs one of its TypeScript sources (a checkout, the tests), in one place.
/**
 * Node's arguments before a `.ts` file: none where Node strips the types itself (22.18 and 24, the tests'
 * Node), else tsx's loader (resolved from the process's cwd). The sources keep to syntax that stripping can
 * run (`erasableSyntaxOnly` in tsconfig.json). Compiled (dist/) and bundled code needs neither.
 */
export const TYPESCRIPT_NODE_ARGS: readonly string[] = process.features.typescript ? [] : ['--import', 'tsx'];
