#!/usr/bin/env node
// `node cli/bin.js` from a checkout: the same command as the installed one (cli/furnace.ts), run from the
// TypeScript sources through tsx, so no build is needed. The installed command runs the compiled dist/.
import { register } from 'tsx/esm/api';

register();
await import('./furnace.ts');
