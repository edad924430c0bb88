#!/usr/bin/env node
// Launcher for the `furnace` (and `kubectl-furnace`) command: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const { processIo } = await import('./io.ts');
process.exitCode = await main(process.argv.slice(2), processIo());
