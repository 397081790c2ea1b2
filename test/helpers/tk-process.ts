// The real `tk` binary as a separate process. No test-runner hooks here, so
// both vitest suites and Playwright specs can use it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const TK = join(REPO, 'bin', 'tk.js');

export interface TkResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `tk` CLI as a separate process. */
export function runTk(args: string[], env: Record<string, string> = {}): TkResult {
  const r = spawnSync(process.execPath, [TK, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
