// `npm test`: every suite CI checks, then one closing line `N passed, N failed, N skipped`
// counted from the runners' own JSON reports (vitest prints no such line).
//   1. type check of core/ (Node, no DOM), renderer/ (DOM, no Node), electron/ (against electron's own types) and test/
//   2. the dependency rule of PRODUCT §2 (dependency-cruiser)
//   3. vitest: unit (real SQLite files, real temp dirs), CLI (real `tk` processes), interop (foreign gRPC client)
//   4. Playwright: the UI in Debian's Chromium against a real `tk serve`
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';

const results = 'test-results';
mkdirSync(results, { recursive: true });
let passed = 0;
let failed = 0;
let skipped = 0;

function step(name, cmd, args) {
  process.stdout.write(`\n── ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  return r.status === 0;
}

function check(name, cmd, args) {
  if (step(name, cmd, args)) passed++;
  else {
    failed++;
    process.stdout.write(`✗ ${name} failed\n`);
  }
}

check('type check core', 'npx', ['tsc', '-p', 'core/tsconfig.json', '--noEmit']);
check('type check renderer', 'npx', ['tsc', '-p', 'renderer/tsconfig.json']);
check('type check electron', 'npx', ['tsc', '-p', 'electron/tsconfig.json', '--noEmit']);
check('type check tests', 'npx', ['tsc', '-p', 'test/tsconfig.json', '--noEmit']);
check('dependency rules', 'npx', ['depcruise', 'core', 'test', 'renderer', 'electron', '--config', '.dependency-cruiser.cjs']);

const vitestJson = `${results}/vitest.json`;
rmSync(vitestJson, { force: true });
step('vitest (unit + cli)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + v.numTodoTests;
  // A suite that failed to load has no tests to count: count it as a failure.
  for (const f of v.testResults ?? []) if (f.status === 'failed' && (f.assertionResults ?? []).length === 0) failed++;
} else {
  failed++;
  process.stdout.write('✗ vitest wrote no report\n');
}

const pwJson = `${results}/playwright.json`;
rmSync(pwJson, { force: true });
const pwOk = step('playwright (e2e in Chromium)', 'npx', ['playwright', 'test']);
if (existsSync(pwJson)) {
  const stats = JSON.parse(readFileSync(pwJson, 'utf8')).stats ?? {};
  passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
  failed += stats.unexpected ?? 0;
  skipped += stats.skipped ?? 0;
  if (!pwOk && !stats.unexpected) failed++;
} else {
  failed++;
  process.stdout.write('✗ playwright wrote no report\n');
}

const line = `${passed} passed, ${failed} failed, ${skipped} skipped`;
writeFileSync(`${results}/summary.txt`, line + '\n');
process.stdout.write(`\n${line}\n`);
process.exit(failed > 0 ? 1 : 0);
