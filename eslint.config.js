import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const server = 'packages/server/src';
// The server's layers, lowest first. A layer may import the ones below it, never those above.
const lib = `${server}/lib`;
const db = `${server}/db`;
const modules = `${server}/modules`;
const observability = `${server}/observability`;
const api = `${server}/api`;
const pages = `${server}/pages`;
const app = `${server}/app.ts`;
const composition = `${server}/composition.ts`;
const config = `${server}/config.ts`;
const runtime = `${server}/runtime.ts`;
const main = `${server}/main.ts`;
const entryPoints = [runtime, main];

const testFiles = ['**/*.test.ts', '**/*.test.tsx', `${server}/test-support/**`, 'packages/sdk/src/testing/**'];

/** Zones of `import-x/no-restricted-paths`: files under `target` must not import from `from`. */
const zones = [
  { target: lib, from: [db, modules, observability, api, pages, app, composition, config, ...entryPoints], message: 'lib is the lowest layer of the server.' },
  { target: db, from: [modules, observability, api, pages, app, composition, config, ...entryPoints], message: 'db may import lib only.' },
  {
    target: modules,
    from: [observability, api, pages, app, composition, config, ...entryPoints],
    message: 'modules may import lib and db only; config reaches them through the composition root.',
  },
  {
    target: observability,
    from: [modules, api, pages, app, composition, config, ...entryPoints],
    message: 'observability may import lib and db only; services report to it through ports they declare.',
  },
  { target: api, from: [pages, app, ...entryPoints], message: 'api must not import pages or anything above it.' },
  // The encrypted gate depends on the ports it declares; app.ts plugs the modules into them.
  { target: `${api}/merchant-api.ts`, from: [modules], message: 'The API gate depends only on its own ports, never on modules.' },
  { target: pages, from: [api, app, ...entryPoints], message: 'pages must not import api or anything above it.' },
  { target: app, from: entryPoints, message: 'app.ts must not import runtime.ts or main.ts.' },
  { target: runtime, from: [main], message: 'main.ts is the entry point: nothing imports it.' },
  { target: [composition, config], from: [api, pages, app, ...entryPoints], message: 'The composition root and config may import lib, db and modules only.' },
  // Test support starts databases and servers: shipping code must never load it.
  { target: 'packages', from: [`${server}/test-support`, 'packages/sdk/src/testing'], message: 'Production files must not import test support.' },
  // Packages in dependency order: wire, contract, sdk; the server and the CLI on top.
  {
    target: 'packages/wire',
    from: ['packages/contract', 'packages/sdk', 'packages/server', 'packages/cli'],
    message: '@fawtara/wire imports no other package of ours.',
  },
  { target: 'packages/contract', from: ['packages/sdk', 'packages/server', 'packages/cli'], message: '@fawtara/contract may import @fawtara/wire only.' },
  { target: 'packages/sdk', from: ['packages/server', 'packages/cli'], message: '@fawtara/sdk may import @fawtara/wire and @fawtara/contract only.' },
  { target: 'packages/server', from: ['packages/sdk', 'packages/cli'], message: '@fawtara/server must not import @fawtara/sdk or @fawtara/cli.' },
];

export default defineConfig(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '**/*.json', 'test-results/**', 'bench/results/**', '**/.data/**', '**/data/**'],
  },
  js.configs.recommended,
  // Not the type-checked set: with it one run takes over a minute on the two-core target machine.
  ...tseslint.configs.recommended,
  {
    rules: {
      // A binding assigned once, after closures that read it were made (a timer their callbacks clear), cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Bindings that must exist but go unused (keys dropped by a rest spread, leading callback parameters) start with an underscore.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['packages/*/src/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these the plugin reads only .js files, and no-cycle would pass vacuously on TypeScript.
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      // Resolves workspace packages (`@fawtara/wire`) to their TypeScript sources under packages/
      // (the condition their exports carry), so the zones and no-cycle see them built or not.
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: import.meta.dirname + '/tsconfig.json',
          conditionNames: ['fawtara-source', 'types', 'import', 'node', 'default'],
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['packages/*/src/**/*.{ts,tsx}'],
    ignores: testFiles,
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones }],
    },
  },
  {
    // Tests, benchmarks and browser drivers read decoded JSON of every shape; typing each one would test the types, not the code.
    files: [...testFiles, 'bench/**', 'e2e/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
