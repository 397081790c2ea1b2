// Playwright fixtures: one real `tk serve` per test file on a freshly seeded
// data dir, and a page that has opened its ready URL (token → cookie).
import { test as base, expect, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTk } from '../helpers/tk-process.js';
import { startServe, type RunningStation } from '../helpers/serve.js';

export interface SeededStation extends RunningStation {
  dataDir: string;
}

/** Imports JSONL lines into a new data dir and starts `tk serve` on it. */
export async function seededStation(lines: object[]): Promise<SeededStation> {
  const dir = mkdtempSync(join(tmpdir(), 'tk-e2e-'));
  const file = join(dir, 'seed.jsonl');
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const imported = runTk(['import', '--data-dir', dataDir, file]);
  if (imported.code !== 0) throw new Error(`seeding failed: ${imported.stderr}`);
  const station = await startServe(dataDir);
  return {
    ...station,
    dataDir,
    stop: async () => {
      const code = await station.stop();
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Saves a screenshot as a test artifact (test-results/screenshots/NAME.png). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: false });
}

export { base as test, expect };
