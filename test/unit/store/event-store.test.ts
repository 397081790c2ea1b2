import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, rmSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { StationRunningError } from '../../../core/store/event-store.js';
import { DataDir } from '../../../core/store/data-dir.js';
import { encodeEvent } from '../../../core/domain/event-line.js';
import { encoded, makeEvent, startStation, tempDir, TestClock, textOf } from '../../helpers/station.js';

const TODAY = '2026-12-04T12:00:00Z';

function fileLines(path: string): string[] {
  const text = path.endsWith('.gz') ? execFileSync('zcat', [path], { encoding: 'utf8' }) : readFileSync(path, 'utf8');
  return text.split('\n').filter(Boolean);
}

describe('EventStore append', () => {
  it('stores a batch durably in today\'s file and indexes it', async () => {
    const dir = tempDir();
    const store = await startStation(dir);
    const batch = [encoded(), encoded(), encoded()];
    const out = await store.append(batch, 'test');
    expect(out).toEqual([{ status: 'stored' }, { status: 'stored' }, { status: 'stored' }]);
    const lines = fileLines(new DataDir(dir).plainDayPath('2026-12-04'));
    expect(lines).toEqual(batch.map((b) => textOf(b)));
    const got = store.reader.get(batch[1]!.eventId)!;
    expect(got.line).toBe(textOf(batch[1]!));
    expect(got.row.origin).toBe('test');
    expect(got.row.sensor_id).toBe('temp-01');
    await store.close();
  });

  it('stores an event_id once: an equal resend is a duplicate, a different one is rejected', async () => {
    const dir = tempDir();
    const store = await startStation(dir);
    const e = makeEvent();
    await store.append([encodeEvent(e)], null);
    // Same payload, user metadata and client timestamp; other $tk evidence and receipt time.
    const resend = { ...e, server_received_at: '2026-12-04T12:00:05.000000000Z', metadata: { ...e.metadata, '$tk.client_ip': '10.0.0.9' } };
    const changedPayload = { ...e, payload: { other: true } };
    const changedMeta = { ...e, metadata: { ...e.metadata, team: 'other' } };
    const changedClock = { ...e, client_timestamp: '2026-12-04T11:00:00.000000000Z' };
    const out = await store.append([resend, changedPayload, changedMeta, changedClock].map((x) => encodeEvent(x)), null);
    expect(out[0]).toEqual({ status: 'duplicate' });
    for (const o of out.slice(1)) expect(o).toEqual({ status: 'rejected', reason: 'event_id already stored with different content' });
    expect(fileLines(new DataDir(dir).plainDayPath('2026-12-04'))).toHaveLength(1);
    await store.close();
  });

  it('judges the same id twice inside one batch the same way', async () => {
    const store = await startStation(tempDir());
    const e = makeEvent();
    const out = await store.append([encodeEvent(e), encodeEvent(e), encodeEvent({ ...e, payload: { x: 1 } })], null);
    expect(out.map((o) => o.status)).toEqual(['stored', 'duplicate', 'rejected']);
    expect(store.reader.stats().events).toBe(1);
    await store.close();
  });

  it('commits appends that queue up together, giving each caller its own outcomes', async () => {
    const dir = tempDir();
    const store = await startStation(dir);
    const shared = makeEvent();
    const a = [encoded(), encoded()];
    const b = [encodeEvent(shared), encoded()];
    const c = [encodeEvent(shared), encodeEvent({ ...shared, payload: { changed: true } })];
    const [ra, rb, rc] = await Promise.all([store.append(a, 'x'), store.append(b, 'x'), store.append(c, 'x')]);
    expect(ra).toEqual([{ status: 'stored' }, { status: 'stored' }]);
    expect(rb).toEqual([{ status: 'stored' }, { status: 'stored' }]);
    expect(rc).toEqual([{ status: 'duplicate' }, { status: 'rejected', reason: 'event_id already stored with different content' }]);
    expect(fileLines(new DataDir(dir).plainDayPath('2026-12-04'))).toHaveLength(4);
    expect(store.reader.stats().events).toBe(4);
    await store.close();
  });

  it('refuses lines dated more than 24 h in the station\'s future', async () => {
    const store = await startStation(tempDir(), new TestClock(TODAY));
    const out = await store.append([
      encoded({ server_received_at: '2026-12-05T11:59:59.000000000Z' }),
      encoded({ server_received_at: '2026-12-05T12:00:00.000000001Z' }),
    ], null);
    expect(out[0]).toEqual({ status: 'stored' });
    expect(out[1]).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/more than 24 h in the station's future/) });
    await store.close();
  });

  it('files lines of finished days into their gzip day, readable by id', async () => {
    const dir = tempDir();
    const store = await startStation(dir);
    const old = [
      encoded({ server_received_at: '2026-11-20T08:00:00.000000000Z' }),
      encoded({ server_received_at: '2026-11-20T09:00:00.000000000Z' }),
    ];
    await store.append(old, null);
    await store.append([encoded({ server_received_at: '2026-11-20T10:00:00.000000000Z' })], null);
    const d = new DataDir(dir);
    expect(existsSync(d.plainDayPath('2026-11-20'))).toBe(false);
    execFileSync('gzip', ['-t', d.gzDayPath('2026-11-20')]);
    expect(fileLines(d.gzDayPath('2026-11-20'))).toHaveLength(3);
    expect(store.reader.get(old[1]!.eventId)!.line).toBe(textOf(old[1]!));
    await store.close();
  });
});

describe('EventStore rotation', () => {
  it('compresses finished days to a valid gzip and keeps every event retrievable', async () => {
    const dir = tempDir();
    const clock = new TestClock('2026-12-03T23:00:00Z');
    const store = await startStation(dir, clock);
    const events = Array.from({ length: 3000 }, (_, i) =>
      encoded({ server_received_at: `2026-12-03T22:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:00.000000000Z` }));
    await store.append(events, null);
    const before = store.reader.query({ limit: 50, order: 'asc' }).events.map((e) => e.line);
    clock.set('2026-12-04T00:00:30Z');
    // Appends to the new day go on while yesterday is compressed.
    const [, today] = await Promise.all([store.rotateFinishedDays(), store.append([encoded({ server_received_at: '2026-12-04T00:00:30.000000000Z' })], null)]);
    expect(today).toEqual([{ status: 'stored' }]);
    const d = new DataDir(dir);
    expect(existsSync(d.plainDayPath('2026-12-03'))).toBe(false);
    execFileSync('gzip', ['-t', d.gzDayPath('2026-12-03')]);
    expect(fileLines(d.gzDayPath('2026-12-03'))).toEqual(events.map((e) => textOf(e)));
    expect(store.reader.query({ limit: 50, order: 'asc' }).events.map((e) => e.line)).toEqual(before);
    for (const i of [0, 1234, 2999]) expect(store.reader.get(events[i]!.eventId)!.line).toBe(textOf(events[i]!));
    expect(readdirSync(d.processingDir)).toEqual([]);
    await store.close();
  });

  it('compresses before the owning process exits', async () => {
    const dir = tempDir();
    const clock = new TestClock('2026-12-03T23:00:00Z');
    const store = await startStation(dir, clock);
    await store.append([encoded({ server_received_at: '2026-12-03T23:00:00.000000000Z' })], null);
    clock.set('2026-12-04T01:00:00Z');
    await store.close();
    expect(existsSync(new DataDir(dir).gzDayPath('2026-12-03'))).toBe(true);
    expect(existsSync(new DataDir(dir).plainDayPath('2026-12-03'))).toBe(false);
  });

  it('finishes a rotation that was cut short after its rename', async () => {
    const dir = tempDir();
    const clock = new TestClock('2026-12-03T23:00:00Z');
    let store = await startStation(dir, clock);
    const e = encoded({ server_received_at: '2026-12-03T23:00:00.000000000Z' });
    await store.append([e], null);
    const d = new DataDir(dir);
    const plainCopy = join(dir, 'plain-copy');
    copyFileSync(d.plainDayPath('2026-12-03'), plainCopy);
    clock.set('2026-12-04T01:00:00Z');
    await store.close();
    // Put the plain file back, as if the process died before unlinking it.
    copyFileSync(plainCopy, d.plainDayPath('2026-12-03'));
    store = await startStation(dir, clock);
    expect(existsSync(d.plainDayPath('2026-12-03'))).toBe(false);
    expect(store.reader.get(e.eventId)!.line).toBe(textOf(e));
    expect(store.reader.stats().events).toBe(1);
    await store.close();
  });
});

describe('EventStore recovery', () => {
  it('moves a torn last line to quarantine and keeps every complete line', async () => {
    const dir = tempDir();
    let store = await startStation(dir);
    const kept = [encoded(), encoded()];
    await store.append(kept, null);
    await store.close();
    const d = new DataDir(dir);
    appendFileSync(d.plainDayPath('2026-12-04'), '{"event_id":"0193a0b0-half-writ');
    store = await startStation(dir);
    expect(store.recovery.tornTails).toHaveLength(1);
    expect(store.recovery.tornTails[0]!.bytes).toBe('{"event_id":"0193a0b0-half-writ'.length);
    expect(readFileSync(store.recovery.tornTails[0]!.quarantinedTo, 'utf8')).toBe('{"event_id":"0193a0b0-half-writ');
    expect(fileLines(d.plainDayPath('2026-12-04'))).toEqual(kept.map((k) => textOf(k)));
    const more = await store.append([encoded()], null);
    expect(more).toEqual([{ status: 'stored' }]);
    expect(store.reader.stats().events).toBe(3);
    await store.close();
  });

  it('indexes lines the index lacks (written, then the process died)', async () => {
    const dir = tempDir();
    let store = await startStation(dir);
    await store.append([encoded()], null);
    await store.close();
    const d = new DataDir(dir);
    const lost = [encoded(), encoded({ server_received_at: '2026-11-01T00:00:00.000000000Z' })];
    appendFileSync(d.plainDayPath('2026-12-04'), textOf(lost[0]!) + '\n');
    store = await startStation(dir);
    expect(store.recovery.caughtUp).toBe(1);
    expect(store.reader.get(lost[0]!.eventId)!.line).toBe(textOf(lost[0]!));
    await store.close();
  });

  it('drops index rows that point past the end of a file', async () => {
    const dir = tempDir();
    let store = await startStation(dir);
    const a = encoded();
    const b = encoded();
    await store.append([a], null);
    await store.append([b], null);
    await store.close();
    const d = new DataDir(dir);
    truncateSync(d.plainDayPath('2026-12-04'), Buffer.byteLength(textOf(a)) + 1);
    store = await startStation(dir);
    expect(store.recovery.dropped).toBe(1);
    expect(store.reader.get(b.eventId)).toBeUndefined();
    expect(store.reader.get(a.eventId)!.line).toBe(textOf(a));
    await store.close();
  });

  it('rebuilds a deleted index from the files with the same answers', async () => {
    const dir = tempDir();
    let store = await startStation(dir);
    await store.append(Array.from({ length: 40 }, (_, i) =>
      encoded({ server_received_at: `2026-12-0${1 + (i % 4)}T10:00:${String(i).padStart(2, '0')}.000000000Z`,
        metadata: { sensor_id: `s${i % 3}` } })), null);
    const victim = store.reader.query({ limit: 1 }).events[0]!.row.event_id;
    await store.markDeleted(victim, 'bad calibration');
    const before = store.reader.query({ limit: 100, includeDeleted: true }).events.map((e) => [e.line, e.row.deleted]);
    await store.close();
    const d = new DataDir(dir);
    for (const s of ['', '-wal', '-shm']) if (existsSync(d.indexPath + s)) rmSync(d.indexPath + s);
    store = await startStation(dir);
    expect(store.reader.query({ limit: 100, includeDeleted: true }).events.map((e) => [e.line, e.row.deleted])).toEqual(before);
    expect(store.reader.query({ limit: 100 }).events.map((e) => e.row.event_id)).not.toContain(victim);
    await store.close();
  });
});

describe('EventStore soft delete', () => {
  it('appends a marker line to today\'s file and hides the event unless asked', async () => {
    const dir = tempDir();
    const store = await startStation(dir);
    const e = encoded({ server_received_at: '2026-11-30T10:00:00.000000000Z' });
    await store.append([e], null);
    const marker = await store.markDeleted(e.eventId, 'test fixture');
    const todayLines = fileLines(new DataDir(dir).plainDayPath('2026-12-04')).map((l) => JSON.parse(l));
    expect(todayLines).toEqual([{ marker: 'delete', marker_id: marker.marker_id, event_id: e.eventId, marked_at: '2026-12-04T12:00:00.000000000Z', reason: 'test fixture' }]);
    expect(store.reader.query({}).events).toHaveLength(0);
    expect(store.reader.query({ includeDeleted: true }).events[0]!.row.deleted).toBe(1);
    expect(store.reader.get(e.eventId)!.markers).toEqual([{ marker_id: marker.marker_id, marked_at: marker.marked_at, reason: 'test fixture' }]);
    await expect(store.markDeleted('018c9f8e-1234-7abc-9def-0123456789ab', 'x')).rejects.toThrow(/no event/);
    await store.close();
  });
});

describe('store ownership', () => {
  it('lets one process write at a time and takes over a stale lock', async () => {
    const dir = tempDir();
    const store = await startStation(dir);
    // Our own pid holds it; a lock naming another live pid must refuse.
    await store.close();
    const d = new DataDir(dir);
    writeFileSync(d.lockPath, `${process.ppid}\n`);
    await expect(startStation(dir)).rejects.toThrow(StationRunningError);
    await expect(startStation(dir)).rejects.toThrow(`station running (pid ${process.ppid})`);
    writeFileSync(d.lockPath, '999999999\n');
    const again = await startStation(dir);
    expect(readFileSync(d.lockPath, 'utf8').trim()).toBe(String(process.pid));
    await again.close();
    expect(existsSync(d.lockPath)).toBe(false);
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});

