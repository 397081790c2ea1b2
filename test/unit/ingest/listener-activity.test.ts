import { describe, expect, it } from 'vitest';
import { ListenerActivity } from '../../../core/ingest/listener-activity.js';

const ok = (sensorId: string | null) => ({ eventId: 'e', sensorId, status: 'EVENT_STATUS_ACCEPTED' as const, reason: '' });

describe('listener activity', () => {
  it('rates accepted events over the last ten whole seconds', () => {
    let ms = 100_000;
    const a = new ListenerActivity(() => ms);
    a.recordCall('t1', '10.0.0.1', Array.from({ length: 30 }, () => ok('s1')));
    ms += 1000;
    a.recordCall('t2', '10.0.0.1', Array.from({ length: 20 }, () => ok('s1')));
    ms += 1000;
    expect(a.snapshot().eventsPerSecond).toBe(5); // 50 events over 10 s
    ms += 10_000;
    expect(a.snapshot().eventsPerSecond).toBe(0);
    expect(a.snapshot().accepted).toBe(50);
  });

  it('keeps each sensor with its last call, newest first', () => {
    const a = new ListenerActivity(() => 0);
    a.recordCall('2026-12-04T10:00:00.000000000Z', '10.0.0.1', [ok('s1'), ok(null)]);
    a.recordCall('2026-12-04T10:00:05.000000000Z', '10.0.0.2', [ok('s2')]);
    a.recordCall('2026-12-04T10:00:09.000000000Z', '10.0.0.3', [ok('s1')]);
    expect(a.snapshot().sensors).toEqual([
      { sensorId: 's1', lastSeen: '2026-12-04T10:00:09.000000000Z', clientIp: '10.0.0.3', accepted: 2 },
      { sensorId: 's2', lastSeen: '2026-12-04T10:00:05.000000000Z', clientIp: '10.0.0.2', accepted: 1 },
    ]);
  });

  it('keeps the latest hundred rejections and refused calls with their reasons, newest first', () => {
    const a = new ListenerActivity(() => 0);
    for (let i = 0; i < 120; i++) {
      a.recordCall(`t${i}`, null, [{ eventId: `e${i}`, sensorId: 's', status: 'EVENT_STATUS_REJECTED', reason: `bad ${i}` }]);
    }
    a.recordRefusedCall('t-last', '10.9.9.9', 'API key revoked');
    const s = a.snapshot();
    expect(s.rejected).toBe(120);
    expect(s.refusedCalls).toBe(1);
    expect(s.recentRejections).toHaveLength(100);
    expect(s.recentRejections[0]).toEqual({ at: 't-last', eventId: '', sensorId: null, clientIp: '10.9.9.9', status: 'CALL_REFUSED', reason: 'API key revoked' });
    expect(s.recentRejections[1]!.reason).toBe('bad 119');
    expect(s.recentRejections.at(-1)!.reason).toBe('bad 21');
  });
});
