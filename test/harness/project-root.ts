// The checkout the tests run from: Furnace's parts are started and its files read relative to it.
import { resolve } from 'node:path';

/** Absolute path of the repository root, without a trailing slash. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
