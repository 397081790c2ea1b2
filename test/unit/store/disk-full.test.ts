// A full disk gets a clear per-event error and leaves no half-written line
// (PRODUCT §5). Needs a real small filesystem: a 2 MB tmpfs, mounted as root
// (CI runs as root on this machine kind).
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataDir } from '../../../core/store/data-dir.js';
import { encoded, startStation, tempDir } from '../../helpers/station.js';

const isRoot = process.getuid?.() === 0;
let mounted: string | undefined;
afterEach(() => {
  // Lazy, so a store the test left open cannot keep the mount busy.
  if (mounted) execFileSync('umount', ['-l', mounted]);
  mounted = undefined;
});

describe('disk full', () => {
  it.skipIf(!isRoot)('reports ERROR for the batch that does not fit and leaves only whole lines', async () => {
    const mnt = join(tempDir(), 'small');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
    mounted = mnt;
    const store = await startStation(mnt);
    const stored: string[] = [];
    let failure: { status: string; reason?: string } | undefined;
    for (let i = 0; i < 40 && !failure; i++) {
      const batch = [encoded({ payload: { blob: 'x'.repeat(150_000), i } })];
      const [outcome] = await store.append(batch, null);
      if (outcome!.status === 'stored') stored.push(batch[0]!.eventId);
      else failure = outcome as { status: string; reason?: string };
    }
    expect(failure).toMatchObject({ status: 'error', reason: expect.stringMatching(/storage failure: .*ENOSPC/) });
    expect(stored.length).toBeGreaterThan(0);
    // Every event reported stored is there, and the file holds whole lines only.
    for (const id of stored) expect(store.reader.get(id)).toBeDefined();
    const text = readFileSync(new DataDir(mnt).plainDayPath('2026-12-04'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n').map((l) => JSON.parse(l).event_id)).toEqual(stored);
    await store.close();
  });
});
