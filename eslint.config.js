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
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
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
      'import-x/no-restricted-paths': ['error', { zones: IMPORT_ZONES, basePath: import.meta.dirname }],
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
