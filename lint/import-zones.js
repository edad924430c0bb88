// @ts-check
// What may import what (docs/architecture.md, "What may import what" and "Server modules"): the parts in
// layers, the rooms of each part in layers, and the server's composition. eslint.config.js applies these
// zones; test/unit/import-rules*.test.ts lints fixtures with them.

const PARTS = ['core', 'kube', 'server', 'sidecar', 'operator', 'cli', 'ui', 'deploy', 'test'];

/**
 * @param {string} target
 * @param {string[]} from
 * @param {string} message
 */
const zone = (target, from, message) => ({
  target: `./${target}`,
  from: from.map((f) => `./${f}`),
  message,
});

/**
 * @param {string} part
 * @param {string[]} allowed
 */
const partZone = (part, allowed) =>
  zone(
    part,
    PARTS.filter((p) => p !== part && !allowed.includes(p)),
    `${part}/ imports only ${allowed.length ? `${allowed.join(', ')} and ` : ''}itself (docs/architecture.md, "What may import what").`,
  );

/**
 * @param {string} part
 * @param {string} room
 * @param {string[]} forbidden
 * @param {string} why
 */
const roomZone = (part, room, forbidden, why) =>
  zone(
    `${part}/${room}`,
    forbidden.map((f) => `${part}/${f}`),
    `${part}/${room}/ must not import ${forbidden.map((f) => `${f}/`).join(', ')}: ${why}`,
  );

/**
 * What may import what: the parts in layers (core at the bottom, kube/ the shared Kubernetes code above
 * it), and inside server/ and sidecar/ the rooms in layers too. docs/architecture.md draws the same map.
 */
export const IMPORT_ZONES = [
  partZone('core', []),
  partZone('kube', ['core']),
  partZone('server', ['core', 'kube']),
  partZone('sidecar', ['core']),
  partZone('operator', ['core', 'kube']),
  partZone('cli', ['core', 'kube']),
  partZone('ui', ['core']),
  partZone('deploy', ['core', 'operator']),
  roomZone(
    'sidecar',
    'host',
    ['profilers', 'recording', 'symbols', 'server-link', 'agent', 'api', 'continuous'],
    'host/ is the bottom room',
  ),
  roomZone(
    'sidecar',
    'continuous',
    ['recording', 'agent', 'api'],
    'continuous profiling runs beside the recordings, not through them',
  ),
  roomZone(
    'sidecar',
    'symbols',
    ['profilers', 'recording', 'server-link', 'agent', 'api'],
    'symbol sources serve the profilers',
  ),
  roomZone(
    'sidecar',
    'server-link',
    ['profilers', 'recording', 'symbols', 'agent', 'api'],
    'the link to the server knows no recording',
  ),
  roomZone(
    'sidecar',
    'profilers',
    ['recording', 'agent', 'api', 'server-link'],
    'profilers report through recording-events.ts',
  ),
  roomZone(
    'sidecar',
    'recording',
    ['agent', 'api'],
    'the recording runs the same under the sidecar and the agent',
  ),
  roomZone(
    'sidecar',
    'api',
    ['host', 'symbols', 'server-link', 'profilers', 'recording', 'agent'],
    'the API sees recordings only through its deps',
  ),
  roomZone(
    'server',
    'kube',
    [
      'auth',
      'proxy',
      'catalog',
      'registry',
      'agent',
      'ui',
      'config',
      'webhook',
      'operations',
      'sinks',
      'storage',
    ],
    'kube/ is the bottom room',
  ),
  roomZone(
    'server',
    'auth',
    ['proxy', 'catalog', 'registry', 'agent', 'ui', 'config', 'webhook', 'operations', 'sinks'],
    'authentication comes before every route',
  ),
  roomZone(
    'server',
    'webhook',
    ['auth', 'proxy', 'catalog', 'registry', 'agent', 'ui', 'config', 'operations', 'sinks'],
    'the webhook stands alone',
  ),
  roomZone(
    'server',
    'registry',
    ['proxy', 'catalog', 'agent', 'ui'],
    'the registry knows recorders, not routes',
  ),
  roomZone('server', 'catalog', ['proxy', 'agent', 'ui', 'sinks'], 'the catalog is storage and its routes'),
  roomZone(
    'server',
    'symbols',
    ['proxy', 'agent', 'ui', 'continuous', 'sinks', 'webhook'],
    "a namespace's symbol files are storage and their routes",
  ),
  roomZone(
    'server',
    'sinks',
    ['proxy', 'registry', 'agent', 'ui', 'webhook', 'auth', 'config'],
    'sinks read the catalog and push outwards; they serve no route',
  ),
  roomZone('server', 'agent', ['proxy', 'ui', 'continuous'], 'the proxy routes to agents, not the other way'),
  roomZone(
    'server',
    'continuous',
    ['proxy', 'ui', 'catalog', 'sinks', 'webhook'],
    'continuous profiling keeps its own windows beside the catalog',
  ),
  roomZone(
    'server',
    'replicas',
    [
      'auth',
      'proxy',
      'catalog',
      'registry',
      'agent',
      'ui',
      'config',
      'webhook',
      'operations',
      'sinks',
      'storage',
    ],
    'what replicas share (the key, Lease records) sits below the rooms that share it',
  ),
  roomZone(
    'server',
    'storage',
    [
      'kube',
      'auth',
      'proxy',
      'catalog',
      'registry',
      'agent',
      'ui',
      'config',
      'webhook',
      'operations',
      'sinks',
      'replicas',
    ],
    'artifact stores hold bytes; they know no catalog, route or config loader',
  ),
];

/** Rooms of core/, ui/src/ and operator/ in layers, as the server's and the sidecar's. */
const PART_ROOM_ZONES = [
  roomZone(
    'core',
    'stacks',
    [
      'render',
      'export',
      'pprof',
      'otlp',
      'sinks',
      'crd',
      'contract',
      'injection',
      'continuous',
      'bpftrace',
      'config',
    ],
    'the stack model is the bottom room: every renderer and exporter reads it',
  ),
  roomZone(
    'core',
    'render',
    ['export', 'pprof', 'otlp', 'sinks', 'crd', 'injection', 'continuous'],
    'renderers draw the stack model; exports sit beside them',
  ),
  ...['pprof', 'otlp'].map((room) =>
    roomZone(
      'core',
      room,
      ['render', 'export', 'sinks', 'crd', 'injection', 'continuous'],
      'a format writer knows only stacks',
    ),
  ),
  roomZone(
    'core',
    'injection',
    ['crd', 'render', 'export', 'pprof', 'otlp', 'sinks', 'stacks'],
    'injection is pure and stands apart from profiles',
  ),
  roomZone(
    'core',
    'contract',
    ['crd', 'render', 'export', 'injection', 'pprof', 'otlp'],
    'the API contracts sit below what uses them',
  ),
  roomZone('operator', 'furnace', ['recording'], 'the install knows no recording'),
  roomZone(
    'ui/src',
    'api',
    ['continuous', 'controls', 'history', 'live', 'pages', 'record', 'routing', 'shell', 'viewer'],
    'the API client knows no page',
  ),
  roomZone(
    'ui/src',
    'controls',
    ['continuous', 'history', 'live', 'pages', 'record', 'routing', 'shell', 'symbols', 'viewer'],
    'controls are the bottom of the page',
  ),
  roomZone(
    'ui/src',
    'viewer',
    ['continuous', 'history', 'live', 'pages', 'record', 'shell', 'symbols'],
    'the viewer draws what it is given',
  ),
];

/**
 * The server's composition: main.ts imports only server/modules/ (the table and its runner), and a
 * module's file never imports another module's file (module-table.ts lists them; needs go through the
 * runner).
 */
const SERVER_MODULE_ZONES = [
  {
    ...zone(
      'server/main.ts',
      ['server'],
      'server/main.ts imports only server/modules/ (docs/architecture.md, "Server modules").',
    ),
    except: ['./modules'],
  },
  {
    target: './server/modules/*-modules.ts',
    from: './server/modules/*-modules.ts',
    message:
      'a server module never imports another module: name it in `needs` (server/modules/server-module.ts).',
  },
];

IMPORT_ZONES.push(...PART_ROOM_ZONES, ...SERVER_MODULE_ZONES);
