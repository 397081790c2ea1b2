import { describe, expect, it } from 'vitest';
import { LiveUpdates } from '../../../core/api/live-updates.js';
import type { Update } from '../../../core/api/contract.js';
import { encoded, startStation, tempDir } from '../../helpers/station.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live updates over a real store', () => {
  it('coalesces many commits into few "events" messages that add up, and reports deletes', async () => {
    const store = await startStation(tempDir());
    const updates = new LiveUpdates(store, () => ({ running: false }), { eventsIntervalMs: 200, listenerIntervalMs: 60_000 });
    const got: Update[] = [];
    const stop = updates.subscribe((u) => got.push(u));
    const events = Array.from({ length: 20 }, (_, i) => encoded({ payload: { i }, server_received_at: `2026-12-04T12:00:${String(i).padStart(2, '0')}.000000000Z` }));
    for (const e of events) await store.append([e], null);
    await wait(450);
    const sent = got.filter((u) => u.topic === 'events').map((u) => u.data as { stored: number; lastReceivedAt: string });
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThan(20);
    expect(sent.reduce((a, d) => a + d.stored, 0)).toBe(20);
    expect(sent.at(-1)!.lastReceivedAt).toBe('2026-12-04T12:00:19.000000000Z');
    got.length = 0;
    await store.markDeleted(events[0]!.eventId, 'test');
    await wait(300);
    expect(got).toEqual([{ topic: 'events', data: { stored: 0, deleted: 1, lastReceivedAt: null } }]);
    // After the last subscriber leaves, nothing more is sent (and the store is no longer watched).
    stop();
    got.length = 0;
    await store.append([encoded({ payload: { late: true } })], null);
    await wait(300);
    expect(got).toEqual([]);
    updates.close();
    await store.close();
  });

  it('sends the listener status on its interval to every subscriber', async () => {
    const store = await startStation(tempDir());
    let n = 0;
    const updates = new LiveUpdates(store, () => ({ running: false, n: ++n }) as never, { listenerIntervalMs: 50 });
    const a: Update[] = [];
    const b: Update[] = [];
    updates.subscribe((u) => a.push(u));
    updates.subscribe(() => {
      throw new Error('a broken subscriber');
    });
    updates.subscribe((u) => b.push(u));
    await wait(230);
    updates.close();
    expect(a.length).toBeGreaterThanOrEqual(2);
    expect(b).toEqual(a);
    expect(a.every((u) => u.topic === 'listener')).toBe(true);
    await store.close();
  });
});
