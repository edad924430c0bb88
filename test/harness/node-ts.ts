// How the harness runs the project's TypeScript in a process of its own.
import { TYPESCRIPT_NODE_ARGS } from '../../core/typescript-args.ts';

/**
 * Node's arguments that run a TypeScript file (core/typescript-args.ts): none on the tests' Node, which strips
 * the types itself (a process starts on half the CPU that tsx's loader takes).
 */
export const TS_NODE_ARGS = TYPESCRIPT_NODE_ARGS;

/**
 * Node's compile cache (NODE_COMPILE_CACHE, set by test/run.sh), kept in a clean environment too: it only
 * saves the next process the same module's compilation.
 */
export const NODE_CACHE_ENV: Record<string, string> =
  process.env.NODE_COMPILE_CACHE === undefined ? {} : { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE };
