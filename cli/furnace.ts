#!/usr/bin/env node
// The `furnace` (and `kubectl-furnace`) command as installed: `npm run build` compiles this file to
// dist/cli/furnace.js, which package.json's "bin" names, so an installed CLI starts without tsx. Each
// subcommand's module (and what it needs) is loaded only when that subcommand runs.
import { processIo } from './io.ts';
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2), processIo());
