// `Furnace.spec.symbols`: where recorders (injected sidecars and node agents) find what stripped binaries
// lack. The item pattern is the injection config's own, so the API server and the server refuse alike.
import { DEBUGINFOD_URL_PATTERN, MAX_DEBUGINFOD_URLS } from '../injection/injection-config.ts';
import type { FurnaceSymbols } from './resources.ts';
import type { SchemaOf } from './schema-types.ts';

export const furnaceSymbolsSchema = {
  type: 'object',
  description: 'Symbols for stripped binaries, for injected sidecars and node agents alike.',
  properties: {
    debuginfodUrls: {
      type: 'array',
      maxItems: MAX_DEBUGINFOD_URLS,
      'x-kubernetes-list-type': 'atomic',
      description:
        "debuginfod servers (http:// or https:// URLs), tried in order for the debug file of a sampled binary without symbols: the recorders' DEBUGINFOD_URLS. Sidecars injected before a change register again only once their pods are recreated.",
      items: { type: 'string', maxLength: 2048, pattern: DEBUGINFOD_URL_PATTERN },
    },
  },
} as const satisfies SchemaOf<FurnaceSymbols>;
