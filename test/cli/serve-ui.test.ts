// What `tk serve` gives a browser beyond the API calls: the built UI with its
// CSP, downloads of the current filter, and live updates over server-sent
// events, fed by events arriving over real gRPC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newUuid7 } from '../../core/domain/identifier.js';
import { UI_CSP } from '../../core/http/http-bridge.js';
import { runTk, suiteDir } from '../helpers/station.js';
import { startServe, type RunningStation } from '../helpers/serve.js';
import { sensorClient, toStruct, unary } from '../helpers/grpc-client.js';

interface HttpReply {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

let station: RunningStation;
let dir: string;
let base: string;
let token: string;
let auth: Record<string, string>;
const ids: string[] = [];

beforeAll(async () => {
  dir = suiteDir('tk-serve-ui-');
  const lines = Array.from({ length: 5 }, (_, i) => {
    const id = newUuid7();
    ids.push(id);
    return JSON.stringify({
      event_id: id,
      client_timestamp: `2026-12-03T08:00:0${i}.000000000Z`,
      server_received_at: `2026-12-03T08:00:0${i}.500000000Z`,
      payload: { reading: i, note: i === 1 ? 'comma, "quote"' : 'plain' },
      metadata: { sensor_id: i % 2 ? 'pump-1' : 'pump-2' },
    });
  });
  const file = join(dir, 'in.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  expect(runTk(['import', '--data-dir', join(dir, 'data'), file]).code).toBe(0);
  station = await startServe(join(dir, 'data'));
  const url = new URL(station.ui!);
  base = `${url.protocol}//${url.host}`;
  token = url.searchParams.get('token')!;
  auth = { 'x-tk-token': token };
});
afterAll(async () => {
  if (station) expect(await station.stop()).toBe(0);
});

describe('the built UI', () => {
  it('serves the page with a strict CSP and its hashed assets, and only with the token', async () => {
    expect((await get(`${base}/`)).status).toBe(401);
    const page = await get(`${base}/`, auth);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe(UI_CSP);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    const html = page.body.toString();
    expect(html).toContain('<div id="root">');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await get(`${base}/${script}`, auth);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('answers app routes with the page, and nothing outside the UI folder', async () => {
    expect((await get(`${base}/events/whatever`, auth)).body.toString()).toContain('<div id="root">');
    expect((await get(`${base}/%2e%2e/%2e%2e/package.json`, auth)).status).toBe(404);
    expect((await get(`${base}/assets/missing.js`, auth)).status).toBe(404);
  });

  it('keeps the rest of a bookmarked address when it trades the token for the cookie', async () => {
    const first = await get(`${station.ui!}&sensor=pump-1&since=2026-12-03T00%3A00%3A00Z`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/?sensor=pump-1&since=2026-12-03T00%3A00%3A00Z');
  });
});

describe('downloads of the current filter', () => {
  const download = (args: unknown, name = 'exportEvents') =>
    get(`${base}/api/download/${name}?args=${encodeURIComponent(JSON.stringify(args))}`, auth);

  it('sends CSV as an attachment, quoted where needed, filtered', async () => {
    const r = await download({ format: 'csv', sensor: 'pump-1' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toMatch(/^attachment; filename="trapperkeeper-events-\d{4}-\d\d-\d\dT\d{6}Z\.csv"$/);
    const rows = r.body.toString().trimEnd().split('\n');
    expect(rows[0]).toBe('event_id,server_received_at,client_timestamp,sensor_id,matched_rules,deleted,payload,metadata');
    expect(rows.slice(1).map((row) => row.slice(0, 36))).toEqual([ids[1], ids[3]]);
    expect(rows[1]).toContain('"{""reading"":1,""note"":""comma, \\""quote\\""""}"');
  });

  it('sends gzip JSON Lines equal to what tk export writes', async () => {
    const r = await download({ format: 'jsonl.gz', order: 'desc' });
    expect(r.headers['content-type']).toBe('application/gzip');
    const lines = gunzipSync(r.body).toString();
    const out = join(dir, 'cli.jsonl');
    expect(runTk(['export', '--data-dir', join(dir, 'data'), '--order', 'desc', '--out', out]).code).toBe(0);
    expect(lines).toBe(readFileSync(out, 'utf8'));
    expect(lines.trimEnd().split('\n').map((l) => JSON.parse(l).event_id)).toEqual([...ids].reverse());
  });

  it('answers a bad request with the reason as data, before any file starts', async () => {
    const bad = await download({ format: 'xlsx' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^exportEvents: format: /) });
    expect((await download({}, 'dumpDatabase')).status).toBe(404);
    expect((await get(`${base}/api/download/exportEvents?args=%7Boops`, auth)).status).toBe(400);
    expect((await get(`${base}/api/download/exportEvents`)).status).toBe(401);
  });
});

/** Reads server-sent events from GET /api/updates until `until` is satisfied. */
function readUpdates(until: (events: Array<{ event: string; data: any }>) => boolean, timeoutMs = 15_000) {
  return new Promise<Array<{ event: string; data: any }>>((resolve, reject) => {
    const got: Array<{ event: string; data: any }> = [];
    const req = httpRequest(`${base}/api/updates`, { headers: auth }, (res) => {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      let buf = '';
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) got.push({ event, data: JSON.parse(data) });
        }
        if (until(got)) {
          clearTimeout(timer);
          req.destroy();
          resolve(got);
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`updates so far: ${JSON.stringify(got)}`));
    }, timeoutMs);
    req.on('error', (e) => (e.message === 'socket hang up' ? undefined : reject(e)));
    req.end();
  });
}

describe('live updates and the listener status', () => {
  it('refuses the update stream without the token', async () => {
    expect((await get(`${base}/api/updates`)).status).toBe(401);
  });

  it('tells a subscriber that events arrived over gRPC, and shows the sensor and the rejection in the listener status', async () => {
    const wanted = (got: Array<{ event: string; data: any }>) =>
      got.some((u) => u.event === 'events' && u.data.stored >= 1) &&
      got.some((u) => u.event === 'listener' && u.data.running && u.data.recentRejections.length > 0);
    const updates = readUpdates(wanted);
    await new Promise((r) => setTimeout(r, 300)); // the stream is open before the sensor reports
    const client = sensorClient(station.grpc);
    const id = newUuid7();
    const res = await unary<{ accepted_count: number; rejected_count: number }>(client, 'ReportEvents', {
      events: [
        { event_id: id, payload: toStruct({ pressure: 7 }), metadata: { sensor_id: 'valve-9' } },
        { event_id: 'not-a-uuid', payload: toStruct({}) },
      ],
    });
    client.close();
    expect(res).toMatchObject({ accepted_count: 1, rejected_count: 1 });
    const got = await updates;
    const events = got.find((u) => u.event === 'events')!.data;
    expect(events).toMatchObject({ stored: 1, deleted: 0, lastReceivedAt: expect.stringMatching(/Z$/) });
    const status = got.filter((u) => u.event === 'listener').at(-1)!.data;
    expect(status).toMatchObject({ running: true, address: station.grpc, authMode: 'open', accepted: 1, rejected: 1 });
    expect(status.sensors).toEqual([{ sensorId: 'valve-9', lastSeen: events.lastReceivedAt, clientIp: '127.0.0.1', accepted: 1 }]);
    expect(status.recentRejections[0]).toMatchObject({ eventId: 'not-a-uuid', status: 'EVENT_STATUS_REJECTED', clientIp: '127.0.0.1' });
    expect(status.recentRejections[0].reason).toMatch(/event_id/);

    // The same picture through the contract's listenerStatus call.
    const polled = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${base}/api/listenerStatus`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } }, (r) => {
        let b = '';
        r.on('data', (d: Buffer) => (b += d.toString()));
        r.on('end', () => resolve(b));
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(JSON.parse(polled).result).toMatchObject({ running: true, accepted: 1, rejected: 1, sensors: [{ sensorId: 'valve-9' }] });

    // Counts and timelines come from the station's aggregate thread (its own read connection): it sees the new event.
    const counted = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${base}/api/timeline`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } }, (r) => {
        let b = '';
        r.on('data', (d: Buffer) => (b += d.toString()));
        r.on('end', () => resolve(b));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ sensor: 'valve-9' }));
    });
    expect(JSON.parse(counted).result).toMatchObject({ total: 1, first: events.lastReceivedAt, last: events.lastReceivedAt });
  });
});
