// `Furnace.spec.symbols`: where recorders (injected sidecars and node agents) find what stripped binaries
// lack. The item pattern is the injection config's own, so the API server and the server refuse alike.
import {
  DEBUGINFOD_URL_PATTERN,
  MAX_DEBUGINFOD_URLS,
  MAX_REGISTRY_CAS,
  REGISTRY_PATTERN,
} from '../injection/symbols-config.ts';
import type { FurnaceRegistryCa, FurnaceSymbols } from './resources.ts';
import type { SchemaOf } from './schema-types.ts';

/** A ConfigMap holds at most 1 MiB; sixteen CAs of 48 KiB stay well below it. */
export const MAX_REGISTRY_CA_BYTES = 49_152;

const registryCaSchema = {
  type: 'object',
  required: ['registry', 'caBundle'],
  properties: {
    registry: {
      type: 'string',
      maxLength: 259,
      pattern: REGISTRY_PATTERN,
      description: 'The registry as image references name it: host or host:port, no scheme or path.',
    },
    caBundle: {
      type: 'string',
      maxLength: MAX_REGISTRY_CA_BYTES,
      pattern: '-----BEGIN CERTIFICATE-----',
      description: 'PEM certificates of the CA that signs the registry certificate.',
    },
  },
} as const satisfies SchemaOf<FurnaceRegistryCa>;

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
    registryCas: {
      type: 'array',
      maxItems: MAX_REGISTRY_CAS,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['registry'],
      description:
        "CAs of private registries that injected sidecars' podman trusts when it pulls a pod's image for symbols: image (/etc/containers/certs.d/<registry>/ca.crt), kept current through the ConfigMap furnace-server-ca in each opted-in namespace. Sidecars injected before a registry is added or removed register again only once their pods are recreated.",
      items: registryCaSchema,
    },
  },
} as const satisfies SchemaOf<FurnaceSymbols>;
