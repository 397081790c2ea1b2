import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { encoded, startStation, suiteDir, textOf } from '../../helpers/station.js';
import type { EventStore } from '../../../core/store/event-store.js';
import type { EncodedEvent } from '../../../core/domain/event-line.js';

const RULE_A = '0193a0b0-0000-7000-8000-00000000000a';
const RULE_B = '0193a0b0-0000-7000-8000-00000000000b';
let store: EventStore;
const all: EncodedEvent[] = [];

// 120 events over three days, three sensors, two rules; receipt and client times differ.
beforeAll(async () => {
  store = await startStation(suiteDir('tk-query-'));
  for (let i = 0; i < 120; i++) {
    const day = 2 + (i % 3);
    const sec = String(i % 60).padStart(2, '0');
    const min = String(Math.floor(i / 60)).padStart(2, '0');
    all.push(encoded({
      server_received_at: `2026-12-0${day}T10:${min}:${sec}.00000000${i % 10}Z`,
      client_timestamp: `2026-12-0${day}T09:${min}:${sec}.000000000Z`,
      payload: { i, word: i % 7 === 0 ? 'Overheat' : 'normal', nested: { deep: [`code-${i}`] } },
      metadata: { sensor_id: `s${i % 3}`, site: i % 2 ? 'north' : 'south' },
      ...(i % 4 === 0 ? { matched_rules: [{ rule_id: RULE_A, action: 'observe' }, { rule_id: RULE_B, action: 'drop' }] } : {}),
      ...(i % 4 === 1 ? { matched_rules: [{ rule_id: RULE_B, action: 'drop' }] } : {}),
    }));
  }
  // Several batches, as arrival would be.
  for (let k = 0; k < all.length; k += 25) await store.append(all.slice(k, k + 25), null);
});
afterAll(async () => store.close());

const ids = (xs: EncodedEvent[]) => xs.map((x) => x.eventId);
const byReceived = (order: 'asc' | 'desc') => (a: EncodedEvent, b: EncodedEvent) => {
  const c = a.receivedTs < b.receivedTs ? -1 : a.receivedTs > b.receivedTs ? 1 : 0;
  return order === 'asc' ? c : -c;
};

describe('query', () => {
  it('lists newest first by default, limit 100', () => {
    const page = store.reader.query({});
    expect(page.events).toHaveLength(100);
    expect(page.events.map((e) => e.row.event_id)).toEqual(ids([...all].sort(byReceived('desc')).slice(0, 100)));
    expect(page.nextCursor).not.toBeNull();
  });

  it('pages through everything exactly once with the cursor, either order', () => {
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const p = store.reader.query({ order, limit: 7, cursor });
        seen.push(...p.events.map((e) => e.row.event_id));
        cursor = p.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(ids([...all].sort(byReceived(order))));
    }
  });

  it('treats --since as inclusive and --until as exclusive, on either timestamp', () => {
    const since = all[3]!.receivedTs;
    const until = all[6]!.receivedTs;
    const got = store.reader.query({ since, until, order: 'asc', limit: 1000 }).events.map((e) => e.row.received_ts);
    expect(got[0]).toBe(since);
    expect(got).not.toContain(until);
    const expected = all.filter((e) => e.receivedTs >= since && e.receivedTs < until);
    expect(got).toHaveLength(expected.length);
    const byClient = store.reader.query({ by: 'client', since: '2026-12-03T09:00:00Z', until: '2026-12-03T09:00:30Z', limit: 1000 });
    expect(byClient.events.map((e) => e.row.event_id).sort()).toEqual(
      ids(all.filter((e) => e.clientTs >= '2026-12-03T09:00:00Z' && e.clientTs < '2026-12-03T09:00:30.000000000Z')).sort());
  });

  it('filters by sensor, rule and metadata pairs together', () => {
    const got = store.reader.query({ sensor: 's1', rule: RULE_B, meta: [['site', 'north']], limit: 1000 });
    const expected = all.filter((e) => JSON.parse(textOf(e)).metadata.sensor_id === 's1' && JSON.parse(textOf(e)).metadata.site === 'north' &&
      e.ruleIds.includes(RULE_B));
    expect(expected.length).toBeGreaterThan(0);
    expect(got.events.map((e) => e.row.event_id).sort()).toEqual(ids(expected).sort());
    expect(store.reader.query({ sensor: 'nobody' }).events).toEqual([]);
    expect(store.reader.query({ rule: RULE_A, limit: 1000 }).events).toHaveLength(30);
  });

  it('matches free text case-insensitively in payload and metadata values, paging too', () => {
    const expected = all.filter((e) => JSON.parse(textOf(e)).payload.word === 'Overheat');
    const first = store.reader.query({ text: 'overHEAT', limit: 10 });
    const rest = store.reader.query({ text: 'overHEAT', limit: 10, cursor: first.nextCursor! });
    expect([...first.events, ...rest.events].map((e) => e.row.event_id).sort()).toEqual(ids(expected).sort());
    expect(store.reader.query({ text: 'code-77' }).events.map((e) => e.row.event_id)).toEqual([all[77]!.eventId]);
    expect(store.reader.query({ text: 'NORTH code-77' }).events).toHaveLength(1);
    expect(store.reader.query({ text: 'south code-77' }).events).toHaveLength(0);
  });

  it('counts and draws a histogram with the same filters', () => {
    expect(store.reader.count({ sensor: 's0' })).toBe(40);
    expect(store.reader.count({ text: 'overheat' })).toBe(all.filter((e) => JSON.parse(textOf(e)).payload.word === 'Overheat').length);
    const perDay = store.reader.histogram({}, 86400);
    expect(perDay.map(([, n]) => n)).toEqual([40, 40, 40]);
    expect(perDay[0]![0]).toBe(Date.UTC(2026, 11, 2) / 1000);
  });

  it('refuses a cursor from another order or a made-up one', () => {
    const p = store.reader.query({ limit: 5 });
    expect(() => store.reader.query({ order: 'asc', cursor: p.nextCursor! })).toThrow(/ordered by received time desc/);
    expect(() => store.reader.query({ cursor: 'garbage' })).toThrow(/not one this station issued/);
    expect(() => store.reader.query({ limit: 0 })).toThrow(/limit must be/);
  });
});
