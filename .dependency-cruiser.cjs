/**
 * Layer boundaries of shared/, functions/, infra/ and bench/ (see "Architecture and layout" in the README).
 * test/unit/boundaries.test.ts cruises the tree with these rules and fails on any violation.
 *
 * Paths are relative to the project root. The rules make no difference between value and type-only imports:
 * a type-only import still couples the layers, and a cycle through types is still a cycle.
 *
 * dependency-cruiser cannot parse TypeScript 7 (it needs the TypeScript 5/6 compiler API), so a plain
 * `depcruise shared` finds no .ts files and reports nothing. The test therefore hands it the sources as
 * JavaScript (esbuild, with type-only imports kept) under their original .ts names.
 */

/** Classic zod: the package root, `zod/v4` and `zod/v3`. zod/mini and the parts it is built on are fine. */
const ZOD = '^node_modules/zod/';
const ZOD_MINI = '^node_modules/zod/(mini|v4-mini|v4/mini|v4/core|v4/locales|locales)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-only-domain',
      comment: 'shared/domain is plain logic: it imports other shared/domain modules and nothing else (no npm package, no other layer).',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { pathNot: '^shared/domain/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'domain-builtins-only-crypto',
      comment: 'The only Node built-in shared/domain uses is node:crypto (token hashing and generation).',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { dependencyTypes: ['core'], pathNot: '^crypto$' },
    },
    {
      name: 'directory-not-above',
      comment: 'The data layer (shared/directory) sits below HTTP, the workflow and the use cases, and imports none of them.',
      severity: 'error',
      from: { path: '^shared/directory/' },
      to: { path: '^shared/(http|workflow|usecases)/' },
    },
    {
      name: 'http-not-workflow',
      comment: 'shared/http (routes, schemas, views) and shared/workflow (Step Functions) are siblings; what both need belongs in a use case.',
      severity: 'error',
      from: { path: '^shared/http/' },
      to: { path: '^shared/workflow/' },
    },
    {
      name: 'workflow-not-http',
      comment: 'shared/workflow must not import shared/http; code needing both belongs in shared/usecases.',
      severity: 'error',
      from: { path: '^shared/workflow/' },
      to: { path: '^shared/http/' },
    },
    {
      name: 'runtime-not-infra',
      comment: 'Lambda code (shared/, functions/) never imports infra/ (CDK and the local stack); infra/ may import shared/.',
      severity: 'error',
      from: { path: '^(shared|functions)/' },
      to: { path: '^infra/' },
    },
    {
      name: 'no-cross-function',
      comment: 'A function imports shared/, never another function: each folder bundles on its own.',
      severity: 'error',
      from: { path: '^functions/([^/]+)/' },
      to: { path: '^functions/', pathNot: '^functions/$1/' },
    },
    {
      name: 'zod-mini-only',
      comment: 'Lambda code uses zod/mini; classic zod adds about 440 KB to every bundle that reaches it.',
      severity: 'error',
      from: { path: '^(shared|functions)/' },
      to: { path: ZOD, pathNot: ZOD_MINI },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable-relative',
      comment: 'A relative import that resolves to no file would hide its edge from every other rule.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^[.]' },
    },
  ],
  options: {
    // Takes effect only with a TypeScript compiler dependency-cruiser supports; the test keeps type-only imports itself.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    moduleSystems: ['es6'],
    enhancedResolveOptions: {
      // moduleResolution "bundler": extensionless relative imports, package "exports" honoured.
      extensions: ['.ts', '.js', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'module', 'node', 'default'],
      mainFields: ['module', 'main'],
    },
    // The test's copy of the sources links node_modules; keep package paths as node_modules/<name>/….
    preserveSymlinks: true,
  },
};
