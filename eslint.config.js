// Lint: TypeScript's recommended rules, plus the import boundaries the architecture depends on.
// Formatting is Prettier's (npm run format); nothing here argues about layout.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * An import boundary: files matching `files` may not import modules matching any group's patterns.
 * One config object per file set, because a later `no-restricted-imports` replaces an earlier one.
 */
function boundary(files, ...groups) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: groups.map(([group, message]) => ({ group, message })) }],
    },
  };
}

const SUBGRAPHS = ['erp', 'crm', 'workflow'];
/** A subgraph imports only its own code and lib/: never another subgraph, the gateway, or the emulators it calls over HTTP. */
const subgraphRule = (name) => [
  // Patterns match the import as written: `../../crm/src/x.js` from inside subgraphs/ names no `subgraphs/`.
  [
    ...SUBGRAPHS.filter((other) => other !== name).flatMap((other) => [`**/subgraphs/${other}/**`, `../**/${other}/**`]),
    '**/gateway/**',
    '**/emulators/**',
    '**/scripts/**',
    '**/test/**',
  ],
  'A subgraph imports only its own code and lib/.',
];
/** Connectors speak native protocols only: no GraphQL types, no resolver types. */
const connectorRule = [
  ['graphql', 'graphql/*', '@apollo/*', '**/__generated__/**', '**/resolvers/**', '**/mappers*'],
  'Connectors speak the native protocol only; GraphQL shapes belong to resolvers.',
];

/** lib/ is shared by every component, so it imports none of them. */
const libRule = [
  ['**/gateway/**', '**/subgraphs/**', '**/emulators/**', '**/scripts/**', '**/bench/**', '**/test/**'],
  'lib/ is shared by every component and imports none of them.',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '**/__generated__/', 'bench/results/', 'test/results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      // Connectors and tests read untyped JSON from native systems; `any` there is a choice, not an accident.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // TypeScript checks these itself (tsc --noEmit runs in npm test).
      'no-undef': 'off',
      'no-redeclare': 'off',
    },
  },
  // The gateway composes subgraphs over HTTP: it never imports their code (or the emulators').
  boundary(
    ['gateway/**/*.ts'],
    [['**/subgraphs/**', '**/emulators/**', '**/scripts/**', '**/test/**'], 'The gateway reaches subgraphs over HTTP only; share code through lib/.'],
  ),
  ...SUBGRAPHS.flatMap((name) => [
    boundary([`subgraphs/${name}/**/*.ts`], subgraphRule(name)),
    boundary([`subgraphs/${name}/src/connectors/**/*.ts`], subgraphRule(name), connectorRule),
  ]),
  // Shared code depends on nothing above it.
  boundary(['lib/**/*.ts'], libRule),
  // The native clients shared by the subgraphs' connectors (lib/native) are connectors too: native protocols only.
  boundary(['lib/native/**/*.ts'], libRule, connectorRule),
  // The emulators stand in for other vendors' systems: they know nothing of the product.
  boundary(
    ['emulators/**/*.ts'],
    [
      ['**/gateway/**', '**/subgraphs/**', '**/scripts/**', '**/bench/**', '**/test/**'],
      'An emulator is a stand-in for a vendor system and imports none of the product.',
    ],
  ),
  // On Node 20 every AsyncLocalStorage adds hook work to every promise: request-scoped values share one (lib/asyncLocal.ts).
  {
    files: ['gateway/**/*.ts', 'subgraphs/**/*.ts', 'lib/**/*.ts'],
    ignores: ['lib/asyncLocal.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='AsyncLocalStorage']",
          message: 'Use an AsyncLocal slot (lib/asyncLocal.ts): each storage of its own costs every promise.',
        },
      ],
    },
  },
  // Example clients use the gateway over HTTP, as any client would.
  boundary(
    ['clients/**/*.ts'],
    [['**/gateway/**', '**/subgraphs/**', '**/emulators/**', '**/lib/**'], 'A client knows the graph through its generated documents only.'],
  ),
);
