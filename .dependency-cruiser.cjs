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
