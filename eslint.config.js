// @ts-check
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Modules that mean I/O or a framework: core/ stays pure code that every part can share. */
const NOT_IN_CORE = [
  {
    group: ['fastify', '@fastify/*'],
    allowTypeImports: true,
    message:
      'core/ is pure code shared by the parts: Fastify types only; put the HTTP side in server/ or sidecar/.',
  },
  {
    group: ['@kubernetes/client-node'],
    allowTypeImports: true,
    message: 'core/ may use the Kubernetes types, not the client: API calls belong in server/ or operator/.',
  },
  {
    group: ['child_process', 'node:child_process'],
    message: 'core/ runs no processes: pass a runner in from the part that needs one.',
  },
];

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
  // cli/ imports only core, kube and itself, but for `furnace catalog migrate`, which is the server's
  // catalog code run as a command (it reads the server's config and writes both of its stores).
  zone(
    'cli',
    PARTS.filter((p) => !['cli', 'core', 'kube', 'server'].includes(p)),
    'cli/ imports only core, kube and itself (docs/architecture.md, "What may import what").',
  ),
  {
    ...zone(
      'cli',
      ['server'],
      'cli/ imports of server/ go only to server/catalog/migrate/ (furnace catalog migrate).',
    ),
    except: ['./catalog/migrate'],
  },
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
    ['continuous', 'history', 'live', 'pages', 'record', 'routing', 'shell', 'viewer'],
    'controls are the bottom of the page',
  ),
  roomZone(
    'ui/src',
    'viewer',
    ['continuous', 'history', 'live', 'pages', 'record', 'shell'],
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

/** Rules as strict as the style (STYLE.md): the import rules' test lints its fixtures with these too. */
export const STRICT_RULES = {
  'max-params': ['error', 4],
  'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
};

/**
 * Files above the strict limits when they came in, each to be cut down (an options object, a file split);
 * a file leaves this list when it is, and nothing joins it.
 */
const OVER_STRICT_LIMITS = [
  'cli/continuous-verb.ts',
  'cli/local-api.ts',
  'core/crd/furnace-crd.ts',
  'core/injection/injection-config.ts',
  'core/pprof/write-pprof.ts',
  'core/render/svg.ts',
  'core/stacks/byte-line-cache.ts',
  'core/stacks/collapse-perf.ts',
  'core/stacks/header-cache.ts',
  'operator/furnace/certificates.ts',
  'operator/furnace/furnace-status.ts',
  'operator/recording/server-client.ts',
  'server/build-server-app.ts',
  'server/catalog/catalog-entry.ts',
  'server/catalog/catalog-store.ts',
  'server/cluster-mode.ts',
  'server/config/config-retention.ts',
  'server/config/config-storage.ts',
  'server/kube/review-tickets.ts',
  'server/kube/token-cache.ts',
  'server/leader/server-leadership.ts',
  'server/operations/audit.ts',
  'server/proxy/proxy-finishing.ts',
  'server/slots/lease-slots.ts',
  'sidecar/config.ts',
  'sidecar/host/proc-table.ts',
  'sidecar/profilers/perf/perf-profiler.ts',
  'sidecar/profilers/pprof/pprof-profiler.ts',
  'sidecar/recording/recording-controller.ts',
  'sidecar/recording/retention.ts',
  'ui/src/api/client.ts',
];

export default tseslint.config(
  {
    // Generated or vendored output; everything else, JavaScript included, is source.
    ignores: [
      'node_modules/**',
      'dist/**',
      'ui/dist/**',
      'ui/vendor/**',
      'core/proto/gen/**',
      'test-results/**',
      // Break the import rules on purpose (test/unit/import-rules.test.ts lints them with those rules).
      'test/fixtures/**',
      'test/golden/**',
      '.furnace-data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      complexity: ['error', 15],
      ...STRICT_RULES,
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } },
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [...IMPORT_ZONES, ...PART_ROOM_ZONES, ...SERVER_MODULE_ZONES],
          basePath: import.meta.dirname,
        },
      ],
    },
  },
  {
    files: OVER_STRICT_LIMITS,
    rules: {
      'max-params': 'off',
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // A test is a list of cases; its length says nothing of a part's design (the 400 it had).
    files: ['test/**'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-params': 'off',
    },
  },
  {
    // A test is one long describe of cases; its length says nothing about a function's.
    files: ['test/**'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    files: ['core/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: NOT_IN_CORE }] },
  },
  {
    // JavaScript sources (cli/bin.js, this file) are outside the TypeScript program: no type information,
    // so the rules that need it are off for them.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // node:test's describe/it return promises that the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
    },
  },
);
