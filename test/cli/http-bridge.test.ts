// The app API contract through the in-process dispatcher and over real HTTP
// against a real `tk serve`, and the bridge's guards (PRODUCT §4 "HTTP bridge").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newUuid7 } from '../../core/domain/identifier.js';
import { createDispatcher } from '../../core/api/dispatcher.js';
import { storeHandlers } from '../../core/api/store-handlers.js';
import type { EventStore } from '../../core/store/event-store.js';
import { runTk, startStation, suiteDir } from '../helpers/station.js';
import { startServe, type RunningStation } from '../helpers/serve.js';

interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

let station: RunningStation;
let local: EventStore;
let base: string;
let token: string;
const ids: string[] = [];

beforeAll(async () => {
  const dir = suiteDir('tk-bridge-');
  const lines = Array.from({ length: 6 }, (_, i) => {
    const id = newUuid7();
    ids.push(id);
    return JSON.stringify({
      event_id: id,
      // Event 5's sensor clock runs 76.5 ms ahead of the station; the others arrive 123.5 ms late.
      client_timestamp: `2026-12-0${1 + (i % 2)}T10:00:0${i}.${i === 5 ? '200000000' : '000000001'}Z`,
      server_received_at: `2026-12-0${1 + (i % 2)}T10:00:0${i}.123456789Z`,
      payload: { i, word: i === 3 ? 'Overheat' : 'ok' },
      metadata: {
        sensor_id: `s${i % 3}`,
        '$tk.api_type': i < 4 ? 'grpc' : 'http',
        '$tk.client_ip': `10.0.0.${i % 2}`,
        ...(i === 0 ? {} : { '$tk.server_version': '0.1.0' }),
      },
      // Event 2's sensor tried to write two reserved keys; the station kept them as evidence.
      ...(i === 2 ? { audit: { stripped_metadata: { '$tk.api_type': 'forged', '$tk.client_ip': '6.6.6.6' } } } : {}),
    });
  });
  const file = join(dir, 'in.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  // Two stations with the same events: one behind the HTTP bridge, one in this process.
  expect(runTk(['import', '--data-dir', join(dir, 'served'), file]).code).toBe(0);
  expect(runTk(['import', '--data-dir', join(dir, 'local'), file]).code).toBe(0);
  station = await startServe(join(dir, 'served'));
  const url = new URL(station.ui!);
  base = `${url.protocol}//${url.host}`;
  token = url.searchParams.get('token')!;
  local = await startStation(join(dir, 'local'));
});
afterAll(async () => {
  await local?.close();
  if (station) expect(await station.stop()).toBe(0);
});

const api = (op: string, args: unknown) =>
  call(`${base}/api/${op}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tk-token': token }, body: JSON.stringify(args) });

describe('app API contract: same answers in-process and over HTTP', () => {
  // Arguments are functions: the ids exist only once beforeAll has run.
  const cases: Array<[string, () => unknown, (r: { ok: boolean; result?: any; error?: any }) => void]> = [
    ['stats', () => ({}), (r) => expect(r.result.events).toBe(6)],
    ['listEvents', () => ({ limit: 2 }), (r) => {
      expect(r.result.events.map((e: { eventId: string }) => e.eventId)).toEqual([ids[5], ids[3]]);
      expect(r.result.nextCursor).toEqual(expect.any(String));
    }],
    ['listEvents', () => ({ sensor: 's1', order: 'asc' }), (r) => expect(r.result.events.map((e: { eventId: string }) => e.eventId)).toEqual([ids[4], ids[1]])],
    ['listEvents', () => ({ text: 'overheat' }), (r) => expect(r.result.events[0].event.payload).toEqual({ i: 3, word: 'Overheat' })],
    ['getEvent', () => ({ eventId: ids[0] }), (r) => {
      expect(r.result.receivedAt).toBe('2026-12-01T10:00:00.123456789Z');
      expect(JSON.parse(r.result.line).event_id).toBe(ids[0]);
    }],
    ['getEvent', () => ({ eventId: '018c9f8e-1234-7abc-9def-0123456789ab' }), (r) => expect(r).toEqual({ ok: true, result: null })],
    ['countEvents', () => ({ since: '2026-12-02T00:00:00Z' }), (r) => expect(r.result).toEqual({ count: 3 })],
    ['histogram', () => ({ intervalSeconds: 86400 }), (r) => expect(r.result.buckets.map((b: { count: number }) => b.count)).toEqual([3, 3])],
    ['listEvents', () => ({ limit: 0 }), (r) => expect(r.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^listEvents: limit: /) })],
    ['listEvents', () => ({ since: '2026-13-01T00:00:00Z' }), (r) => expect(r.error.message).toMatch(/since: .*month 13 is out of range/)],
    ['listEvents', () => ({ bogus: 1 }), (r) => expect(r.error.code).toBe('invalid_input')],
    ['listEvents', () => ({ cursor: 'garbage' }), (r) => expect(r.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/cursor/) })],
    ['dropTables', () => ({}), (r) => expect(r.error).toEqual({ code: 'unknown_operation', message: 'no operation "dropTables"' })],
    ['facets', () => ({ limit: 2 }), (r) => {
      expect(r.result.sensors).toEqual([{ value: 's0', events: 2 }, { value: 's1', events: 2 }]);
      expect(r.result.metadata.sensor_id).toHaveLength(2);
      expect(r.result.rules).toEqual([]);
    }],
    ['deleteEvent', () => ({ eventId: '018c9f8e-1234-7abc-9def-0123456789ab', reason: 'x' }), (r) => expect(r.error).toMatchObject({ code: 'not_found' })],
    ['deleteEvent', () => ({ eventId: ids[0], reason: '   ' }), (r) => expect(r.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/reason/) })],
    ['auditSummary', () => ({}), (r) => {
      const a = r.result;
      expect(a.events).toBe(6);
      expect(a.spoofed).toBe(1);
      expect(a.spoofUnknown).toBe(0);
      expect(a.system['$tk.api_type']).toEqual([{ value: 'grpc', events: 4 }, { value: 'http', events: 2 }]);
      // Event 0 has no $tk.server_version: counted under ''.
      expect(a.system['$tk.server_version']).toEqual([{ value: '0.1.0', events: 5 }, { value: '', events: 1 }]);
      expect(a.skewFlagMs).toBe(100);
      const s2 = a.sensors.find((x: { sensor: string }) => x.sensor === 's2');
      expect(s2).toMatchObject({ events: 2, spoofed: 1, late: 1, ahead: 1, lastSeen: '2026-12-02T10:00:05.123456789Z' });
      expect(s2.minSkewMs).toBeCloseTo(-76.543211, 6);
      expect(s2.maxSkewMs).toBeCloseTo(123.456788, 6);
      expect(s2.clientIps).toEqual([{ value: '10.0.0.0', events: 1 }, { value: '10.0.0.1', events: 1 }]);
    }],
    ['auditSummary', () => ({ sensor: 's1', meta: [['$tk.api_type', 'grpc']] }), (r) => {
      expect(r.result.events).toBe(1);
      expect(r.result.sensors.map((x: { sensor: string }) => x.sensor)).toEqual(['s1']);
    }],
    ['auditSummary', () => ({ text: 'overheat' }), (r) => expect(r.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/free-text/) })],
    ['listEvents', () => ({ spoofed: true }), (r) => expect(r.result.events.map((e: { eventId: string }) => e.eventId)).toEqual([ids[2]])],
    ['listEvents', () => ({ order: 'asc', offset: 2, limit: 2 }), (r) => expect(r.result.events.map((e: { eventId: string }) => e.eventId)).toEqual([ids[4], ids[1]])],
    ['listEvents', () => ({ order: 'asc', offset: 1, limit: 2, text: 'ok' }), (r) => expect(r.result.events.map((e: { eventId: string }) => e.eventId)).toEqual([ids[2], ids[4]])],
    ['listEvents', () => ({ offset: -1 }), (r) => expect(r.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^listEvents: offset: /) })],
    ['timeline', () => ({ buckets: 10 }), (r) => expect(r.result).toEqual({
      total: 6,
      first: '2026-12-01T10:00:00.123456789Z',
      last: '2026-12-02T10:00:05.123456789Z',
      // 86,406 s in at most 10 bars: 3-hour bars, UTC-aligned (09:00–12:00 each day).
      intervalSeconds: 10800,
      buckets: [{ start: Date.UTC(2026, 11, 1, 9) / 1000, count: 3 }, { start: Date.UTC(2026, 11, 2, 9) / 1000, count: 3 }],
    })],
    ['timeline', () => ({ sensor: 'nobody' }), (r) => expect(r.result).toEqual({ total: 0, first: null, last: null, intervalSeconds: 1, buckets: [] })],
    ['timeline', () => ({ text: 'overheat', buckets: 10 }), (r) => expect(r.result).toMatchObject({ total: 1, first: r.result.last, intervalSeconds: 1 })],
    ['histogram', () => ({ intervalSeconds: 86400, text: 'ok' }), (r) => expect(r.result.buckets.map((b: { count: number }) => b.count)).toEqual([3, 2])],
  ];

  it.each(cases)('%s', async (op, args, check) => {
    const inProcess = await createDispatcher(storeHandlers(local))(op, args());
    check(inProcess);
    const overHttp = await api(op, args());
    expect(overHttp.status).toBe(200);
    expect(JSON.parse(overHttp.body)).toEqual(inProcess);
  });
});

describe('app API writes and disk facts', () => {
  it('deletes an event behind a marker with a reason, over HTTP, and lists it only when asked', async () => {
    const reply = JSON.parse((await api('deleteEvent', { eventId: ids[2], reason: 'test rig' })).body);
    expect(reply).toMatchObject({ ok: true, result: { event_id: ids[2], reason: 'test rig' } });
    const visible = JSON.parse((await api('listEvents', { limit: 100 })).body).result.events.map((e: { eventId: string }) => e.eventId);
    expect(visible).not.toContain(ids[2]);
    const all = JSON.parse((await api('listEvents', { limit: 100, includeDeleted: true })).body).result.events;
    expect(all.find((e: { eventId: string }) => e.eventId === ids[2]).deleted).toBe(true);
    const detail = JSON.parse((await api('getEvent', { eventId: ids[2] })).body).result;
    expect(detail.markers).toEqual([expect.objectContaining({ reason: 'test rig' })]);
  });

  it('tells the data size and the free space', async () => {
    const facts = JSON.parse((await api('diskFacts', {})).body).result;
    expect(facts.eventFileBytes).toBeGreaterThan(0);
    expect(facts.indexBytes).toBeGreaterThan(0);
    expect(facts.freeBytes).toBeGreaterThan(0);
  });
});

describe('HTTP bridge guards', () => {
  it('refuses API calls without the token, or with a wrong one', async () => {
    const none = await call(`${base}/api/stats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(401);
    const wrong = await call(`${base}/api/stats`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tk-token': token + 'x' }, body: '{}' });
    expect(wrong.status).toBe(401);
    expect((await call(`${base}/?token=nope`)).status).toBe(401);
  });

  it('trades the URL token for an HttpOnly cookie and drops it from the address', async () => {
    const first = await call(station.ui!);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/^tk_token=[^;]+; HttpOnly; SameSite=Strict; Path=\//);
    const withCookie = await call(`${base}/api/stats`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookie.split(';')[0]! }, body: '{}' });
    expect(withCookie.status).toBe(200);
    expect(JSON.parse(withCookie.body).ok).toBe(true);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, and sends no CORS headers', async () => {
    const headers = { 'content-type': 'application/json', 'x-tk-token': token };
    const rebound = await call(`${base}/api/stats`, { method: 'POST', headers: { ...headers, host: `evil.example:${new URL(base).port}` }, body: '{}' });
    expect(rebound.status).toBe(403);
    const crossSite = await call(`${base}/api/stats`, { method: 'POST', headers: { ...headers, origin: 'http://evil.example' }, body: '{}' });
    expect(crossSite.status).toBe(403);
    const sameSite = await call(`${base}/api/stats`, { method: 'POST', headers: { ...headers, origin: base }, body: '{}' });
    expect(sameSite.status).toBe(200);
    expect(sameSite.headers['access-control-allow-origin']).toBeUndefined();
    const localhost = await call(`${base.replace('127.0.0.1', 'localhost')}/api/stats`, { method: 'POST', headers, body: '{}' });
    expect(localhost.status).toBe(200);
  });

  it('answers bad requests with their status, and keeps the token out of its request log', async () => {
    expect((await call(`${base}/api/stats`, { headers: { 'x-tk-token': token } })).status).toBe(405);
    expect((await call(`${base}/api/stats`, { method: 'POST', headers: { 'x-tk-token': token, 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await call(`${base}/api/stats`, { method: 'POST', headers: { 'x-tk-token': token, 'content-type': 'application/json' }, body: '{oops' })).status).toBe(400);
    await call(station.ui!);
    expect(station.stderr()).toMatch(/http GET \/ 303/);
    expect(station.stderr()).not.toContain(token);
  });
});
