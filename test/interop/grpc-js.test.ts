// A Node sensor (grpc-js, built from our protos) against a real `tk serve` on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { newUuid7 } from '../../core/domain/identifier.js';
import { REPO, runTk, suiteDir } from '../helpers/station.js';
import { startServe, type RunningStation } from '../helpers/serve.js';
import { grpc, healthClient, sensorClient, toStruct, unary, type Client } from '../helpers/grpc-client.js';

interface Report {
  results: Array<{ event_id: string; status: string; error_message: string }>;
  accepted_count: number;
  rejected_count: number;
}

let station: RunningStation;
let client: Client;
let data: string;

beforeAll(async () => {
  data = join(suiteDir('tk-grpc-'), 'data');
  expect(runTk(['rules', 'import', join(REPO, 'test/fixtures/rules.json'), '--data-dir', data]).code).toBe(0);
  station = await startServe(data);
  client = sensorClient(station.grpc);
});
afterAll(async () => {
  client?.close();
  if (station) expect(await station.stop()).toBe(0);
});

describe('SensorAPI over grpc-js', () => {
  it('accepts events, stores them with the true $tk values, and keeps nanoseconds', async () => {
    const id = newUuid7();
    const md = new grpc.Metadata();
    md.set('x-tk-api-type', 'node');
    md.set('x-tk-api-version', '9.9.9');
    const res = await unary<Report>(client, 'ReportEvents', {
      sensor_id: 'temp-01',
      events: [{
        event_id: id,
        payload: toStruct({ temperature: 95.5, tags: ['a', 'b'], nested: { ok: true, none: null } }),
        metadata: { team: 'field', sensor_id: 'spoofed', '$tk.client_ip': '6.6.6.6', '$tk.server_version': 'evil' },
        client_timestamp: { seconds: '1764842400', nanos: 123456789 },
      }],
    }, md);
    expect(res).toEqual({ results: [{ event_id: id, status: 'EVENT_STATUS_ACCEPTED', error_message: '' }], accepted_count: 1, rejected_count: 0 });
    const got = runTk(['get', id, '--json', '--data-dir', data]);
    expect(got.code).toBe(0);
    const line = JSON.parse(got.stdout);
    expect(line.client_timestamp).toBe('2025-12-04T10:00:00.123456789Z');
    expect(line.payload).toEqual({ temperature: 95.5, tags: ['a', 'b'], nested: { ok: true, none: null } });
    expect(line.metadata).toMatchObject({
      team: 'field',
      sensor_id: 'temp-01',
      '$tk.api_type': 'node',
      '$tk.api_version': '9.9.9',
      '$tk.client_ip': '127.0.0.1',
      '$tk.client_timestamp': '2025-12-04T10:00:00.123456789Z',
      '$tk.server_received_at': line.server_received_at,
    });
    expect(line.metadata['$tk.server_version']).not.toBe('evil');
    expect(line.audit).toEqual({
      client_timestamp_source: 'event',
      stripped_metadata: { '$tk.client_ip': '6.6.6.6', '$tk.server_version': 'evil' },
      claimed_sensor_id: 'spoofed',
    });
  });

  it('assigns ids, rejects bad events one by one, and takes a resend once', async () => {
    const id = newUuid7();
    const good = { event_id: id, payload: toStruct({ v: 1 }), metadata: { a: 'b' } };
    const res = await unary<Report>(client, 'ReportEvents', {
      events: [
        { payload: toStruct({ assigned: true }) },
        { event_id: '018c9f8e-1234-4abc-9def-0123456789ab', payload: toStruct({}) },
        { event_id: newUuid7(), payload: toStruct({ blob: 'x'.repeat(1024 * 1024) }) },
        { event_id: newUuid7(), payload: toStruct({}), metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
        { event_id: newUuid7(), payload: toStruct({}), metadata: { 'bad\u0001key': 'v' } },
        good,
        good,
      ],
    });
    const [assigned, v4, big, many, ctl, first, again] = res.results;
    expect(assigned!.status).toBe('EVENT_STATUS_ACCEPTED');
    expect(assigned!.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(v4).toMatchObject({ status: 'EVENT_STATUS_REJECTED', error_message: expect.stringMatching(/version 4 UUID/) });
    expect(big).toMatchObject({ status: 'EVENT_STATUS_REJECTED', error_message: expect.stringMatching(/payload is \d+ bytes; the limit is 1048576/) });
    expect(many).toMatchObject({ status: 'EVENT_STATUS_REJECTED', error_message: expect.stringMatching(/65 user pairs/) });
    expect(ctl).toMatchObject({ status: 'EVENT_STATUS_REJECTED', error_message: expect.stringMatching(/control character U\+0001/) });
    expect(first!.status).toBe('EVENT_STATUS_ACCEPTED');
    expect(again!.status).toBe('EVENT_STATUS_ACCEPTED');
    expect(res.accepted_count).toBe(3);
    expect(res.rejected_count).toBe(4);
    const resend = await unary<Report>(client, 'ReportEvents', { events: [good, { ...good, payload: toStruct({ v: 2 }) }] });
    expect(resend.results.map((r) => [r.status, r.error_message])).toEqual([['EVENT_STATUS_ACCEPTED', ''], ['EVENT_STATUS_REJECTED', 'event_id already stored with different content']]);
    expect(resend.results[1]!.error_message).toBe('event_id already stored with different content');
    const stored = runTk(['query', '--json', '--meta', 'a=b', '--data-dir', data]).stdout.trim().split('\n');
    expect(stored).toHaveLength(1);
  });

  it('refuses an over-limit batch whole, naming the limit', async () => {
    const events = Array.from({ length: 1001 }, () => ({ payload: toStruct({}) }));
    await expect(unary(client, 'ReportEvents', { events })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/1001 events exceeds the limit of 1000/),
    });
  });

  it('serves the ACTIVE rules for the tags with an ETag, and none when the sensor has them already', async () => {
    interface Sync { rules: Array<{ rule_id: string; action: string; or_groups: unknown[] }>; etag: string }
    const all = await unary<Sync>(client, 'SyncRules', { tags: [] });
    expect(all.rules.map((r) => r.rule_id)).toEqual(['0193a0b0-0000-7000-8000-00000000000a', '0193a0b0-0000-7000-8000-00000000000b']);
    expect(all.rules[0]).toMatchObject({ name: 'High temperature', action: 'ACTION_OBSERVE', state: 'RULE_STATE_ACTIVE', sample_rate: 1 });
    expect(all.rules[0]!.or_groups).toHaveLength(2);
    expect(all.etag).toMatch(/^[0-9a-f]{64}$/);
    const md = new grpc.Metadata();
    md.set('if-none-match', all.etag);
    expect(await unary<Sync>(client, 'SyncRules', { tags: [] }, md)).toEqual({ rules: [], etag: all.etag });
    const south = await unary<Sync>(client, 'SyncRules', { tags: ['site=south'] });
    expect(south.rules.map((r) => r.rule_id)).toEqual(['0193a0b0-0000-7000-8000-00000000000a']);
    expect(south.etag).not.toBe(all.etag);
  });

  it('streams SERVING to a health Watch', async () => {
    const health = healthClient(station.grpc);
    const stream = (health.Watch as (r: unknown) => NodeJS.ReadableStream & { cancel(): void }).call(health, { service: '' });
    const first = await new Promise((resolve, reject) => {
      stream.once('data', resolve);
      stream.once('error', reject);
    });
    expect(first).toEqual({ status: 'SERVING' });
    stream.on('error', () => {}); // the cancel below ends it with CANCELLED
    stream.cancel();
    health.close();
  });

  it('answers grpc.health.v1 Check', async () => {
    const health = healthClient(station.grpc);
    expect(await unary(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    expect(await unary(health, 'Check', { service: 'trapperkeeper.sensor.v1.SensorAPI' })).toEqual({ status: 'SERVING' });
    await expect(unary(health, 'Check', { service: 'nope' })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    health.close();
  });
});

describe('message size limit', () => {
  it('refuses a request over --max-message-bytes with RESOURCE_EXHAUSTED naming the size', async () => {
    const small = await startServe(join(suiteDir('tk-grpc-size-'), 'data'), ['--max-message-bytes', '100000']);
    const c = sensorClient(small.grpc);
    try {
      const events = Array.from({ length: 20 }, () => ({ payload: toStruct({ blob: 'x'.repeat(10_000) }) }));
      await expect(unary(c, 'ReportEvents', { events })).rejects.toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: expect.stringMatching(/larger than max \(\d+ vs 100000\)/),
      });
      const ok = await unary<Report>(c, 'ReportEvents', { events: events.slice(0, 2) });
      expect(ok.accepted_count).toBe(2);
    } finally {
      c.close();
      expect(await small.stop()).toBe(0);
    }
  });
});
