// kill -9 at any moment loses no accepted event (PRODUCT §5).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runTk, startStation, tempDir } from '../helpers/station.js';
import { verifyStore } from '../../core/store/verify.js';

function runUntilKilled(args: string[], killAfterLines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killed && out.split('\n').length > killAfterLines) {
        killed = true;
        // Kill from inside the next write, not between batches.
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 15));
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child ended by itself (code ${code}) before it was killed: ${err}`));
      // Only complete lines count as reported.
      resolve(out.split('\n').slice(0, -1).filter(Boolean));
    });
  });
}

describe('crash safety', () => {
  it('a store killed with SIGKILL mid-append keeps every event it reported stored and reopens clean', async () => {
    const dir = tempDir();
    const reported = await runUntilKilled([join(REPO, 'test/helpers/crash-child.mjs'), dir, '400'], 3000);
    expect(reported.length).toBeGreaterThanOrEqual(3000);
    const store = await startStation(dir);
    try {
      for (const id of reported) expect(store.reader.get(id), id).toBeDefined();
      expect(store.reader.stats().events).toBeGreaterThanOrEqual(reported.length);
    } finally {
      await store.close();
    }
    const report = verifyStore(dir);
    expect(report.findings).toEqual([]);
  });

  it('tk import killed midway leaves a consistent store, and re-running it completes the import', async () => {
    const dir = tempDir();
    const src = join(dir, 'in.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 30000; i++) {
      const id = `0193a0b0-${(0x1000 + Math.floor(i / 65536)).toString(16)}-7${(i % 4096).toString(16).padStart(3, '0')}-8${Math.floor(i / 4096).toString(16).padStart(3, '0')}-${i.toString(16).padStart(12, '0')}`;
      lines.push(JSON.stringify({
        event_id: id,
        client_timestamp: '2026-11-30T10:00:00.5Z',
        server_received_at: `2026-11-30T10:00:00.${String(i).padStart(9, '0')}Z`,
        payload: { i, text: 'y'.repeat(300) },
        metadata: { sensor_id: 's1' },
      }));
    }
    writeFileSync(src, lines.join('\n') + '\n');
    const data = join(dir, 'data');
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [join(REPO, 'bin/tk.js'), 'import', '--data-dir', data, src], { stdio: 'ignore' });
      // Kill once the day file has grown past a fifth of its final size.
      const day = join(data, 'events', '2026-11-30.jsonl.gz');
      const poll = setInterval(() => {
        if (existsSync(day) && statSync(day).size > 300_000) {
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      }, 5);
      child.on('exit', () => {
        clearInterval(poll);
        resolve();
      });
    });
    const first = runTk(['stats', '--json', '--data-dir', data]);
    expect(first.code).toBe(0);
    const partial = JSON.parse(first.stdout).events as number;
    expect(partial).toBeLessThan(30000);
    const again = runTk(['import', '--json', '--data-dir', data, src]);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary.rejected).toBe(0);
    expect(summary.imported + summary.duplicates).toBe(30000);
    expect(summary.duplicates).toBeGreaterThanOrEqual(partial);
    expect(JSON.parse(runTk(['stats', '--json', '--data-dir', data]).stdout).events).toBe(30000);
    expect(runTk(['verify', '--data-dir', data]).code).toBe(0);
  });
});
