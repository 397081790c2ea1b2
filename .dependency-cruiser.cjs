// The layering of PRODUCT §2 / STYLE.md, checked inside `npm test`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'nothing-imports-test',
      comment: 'test/ may import anything; nothing imports test/',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'core-is-node-only',
      comment: 'core/ runs in Node only: no electron, no renderer code',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: ['^electron/', '^renderer/', '^node_modules/electron/'] },
    },
    {
      name: 'sqlite-in-core-db-only',
      comment: 'better-sqlite3 is imported in core/db/ only (STYLE.md "SQL you can read")',
      severity: 'error',
      from: { pathNot: ['^core/db/', '^test/'] },
      to: { path: 'node_modules/better-sqlite3/' },
    },
    {
      name: 'grpc-in-core-grpc-only',
      comment: '@grpc/* is imported in core/grpc/ only',
      severity: 'error',
      from: { pathNot: ['^core/grpc/', '^test/'] },
      to: { path: 'node_modules/@grpc/' },
    },
    {
      name: 'domain-is-pure',
      comment: 'core/domain/ knows nothing of storage, index or CLI',
      severity: 'error',
      from: { path: '^core/domain/' },
      to: { path: ['^core/(store|db|cli|import)/'] },
    },
    {
      name: 'renderer-sees-only-the-contract',
      comment: 'renderer/ runs in the browser: of core/ it may import the API contract, and only its types',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^core/', pathNot: '^core/api/contract\\.ts$' },
    },
    {
      name: 'renderer-imports-contract-types-only',
      comment: 'the contract module holds zod schemas for the station; the renderer needs its types only',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^core/api/contract\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'renderer-is-browser-only',
      comment: 'renderer/ imports no Node built-ins and nothing of electron/',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: ['^electron/', '^node_modules/electron/'], dependencyTypes: ['core', 'local', 'npm', 'npm-dev'] },
    },
    {
      name: 'renderer-no-node-builtins',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'electron-is-main-and-preload-only',
      comment: 'electron/ is glue: it uses core/ and electron, never the renderer',
      severity: 'error',
      from: { path: '^electron/' },
      to: { path: '^renderer/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^dist/' },
  },
};
