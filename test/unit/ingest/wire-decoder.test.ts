// Our wire decoder against the reference (protobufjs decode → toObject →
// structToJson, the path @grpc/proto-loader takes) on generated and edge-case
// requests: the same JSON, or the same per-event rejection.
import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { join } from 'node:path';
import { decodeReportEventsRequest } from '../../../core/ingest/wire-decoder.js';
import { prepareEvent, type Arrival, type DecodedEvent, type DecodedRequest } from '../../../core/ingest/report-events.js';
import { Instant } from '../../../core/domain/instant.js';
import { REPO, textOf } from '../../helpers/station.js';

const root = new protobuf.Root();
root.resolvePath = (_o, t) => (t.startsWith('google/') ? t : join(REPO, 'proto', t));
root.loadSync('trapperkeeper/sensor/v1/sensor_api.proto', { keepCase: true });
const Request = root.lookupType('trapperkeeper.sensor.v1.ReportEventsRequest');
const arrival: Arrival = { receivedAt: Instant.parse('2026-12-04T12:00:00Z'), serverVersion: '0.1.0', clientIp: '127.0.0.1' };

function toValue(v: unknown): object {
  if (v === null) return { nullValue: 0 };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: toStruct(v as Record<string, unknown>) };
}
function toStruct(o: Record<string, unknown>): object {
  return { fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toValue(v)])) };
}

function encode(req: object): Buffer {
  return Buffer.from(Request.encode(Request.fromObject(req)).finish());
}

/** The reference path: protobufjs objects as proto-loader (oneofs, enums and longs as strings) hands them over. */
function reference(buf: Buffer): DecodedRequest {
  return Request.toObject(Request.decode(buf), { enums: String, longs: String, oneofs: true, defaults: false }) as DecodedRequest;
}

/** Each event's verdict: its line (receipt-independent parts) or its rejection. */
function verdicts(req: DecodedRequest): unknown[] {
  return (req.events ?? []).map((ev: DecodedEvent) => {
    const p = prepareEvent({ ...ev, event_id: ev.event_id || '0193a0b0-0000-7000-8000-000000000001' }, req, arrival);
    return 'reason' in p ? { rejected: p.reason } : JSON.parse(textOf(p.encoded));
  });
}

let seed = 7;
function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const WORDS = ['a', 'temp', 'ünïcødé', '😀 emoji', 'quote"q', 'back\\slash', 'line\nbreak', '', 'tab\t', '\u2028'];
function randomJson(depth: number): unknown {
  const r = rand();
  if (depth > 6 || r < 0.3) {
    const k = rand();
    if (k < 0.25) return WORDS[Math.floor(rand() * WORDS.length)];
    if (k < 0.5) return Math.round((rand() - 0.5) * 1e6) / (rand() < 0.5 ? 1 : 1000);
    if (k < 0.6) return rand() < 0.5;
    if (k < 0.7) return null;
    return [1e300, -0.000001, 2 ** 53 + 2, -42][Math.floor(rand() * 4)];
  }
  if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => randomJson(depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) o[WORDS[Math.floor(rand() * WORDS.length)]! + i] = randomJson(depth + 1);
  return o;
}

describe('wire decoder', () => {
  it('gives the same lines as the reference decoder on 300 generated payloads', () => {
    for (let n = 0; n < 300; n++) {
      const payload = randomJson(0);
      const req = {
        sensor_id: 's1',
        client_timestamp: { seconds: 1764842400 + n, nanos: n },
        events: [{
          payload: toStruct(payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : { v: payload }),
          metadata: { k: `v${n}`, sensor_id: 'x' },
          ...(n % 3 === 0 ? { client_timestamp: { seconds: -1, nanos: 5 } } : {}),
          ...(n % 5 === 0 ? { matched_rules: [{ rule_id: 'r', action: 2 }], record_snapshot: toStruct({ z: 1, a: [true] }),
            matched_field: '$.a', matched_value: toValue(3.5), matched_condition: { values: [toValue('any'), toValue(0)] },
            rule_snapshot: { rule_id: 'r', name: 'n', action: 1, or_groups: [{ group_index: 0, conditions: [{ op: 5, value: { numeric_value: 1 } }] }] } } : {}),
        }],
      };
      const buf = encode(req);
      expect(verdicts(decodeReportEventsRequest(buf)), `payload ${n}`).toEqual(verdicts(reference(buf)));
    }
  });

  it('agrees on edge cases: empty structs, unicode keys, NaN and infinities, nesting at and past the limit', () => {
    const deep = (levels: number) => {
      let v: Record<string, unknown> = { leaf: 1 };
      for (let i = 1; i < levels; i++) v = { n: v };
      return v;
    };
    const events = [
      { payload: toStruct({}) },
      {},
      { payload: toStruct({ 'ключ': { '鍵': [] }, '': {} }) },
      { payload: { fields: { x: { numberValue: Number.NaN } } } },
      { payload: { fields: { x: { numberValue: Infinity } } } },
      { payload: { fields: { x: { listValue: { values: [{ numberValue: -Infinity }] } } } } },
      { payload: toStruct(deep(32)) },
      { payload: toStruct(deep(33)) },
      { payload: toStruct({ b: 1, a: 2, c: { z: 1, y: 2 } }) },
    ];
    const buf = encode({ events });
    const ours = verdicts(decodeReportEventsRequest(buf));
    expect(ours).toEqual(verdicts(reference(buf)));
    expect(ours[3]).toEqual({ rejected: 'a number value is NaN, which JSON cannot hold' });
    expect(ours[7]).toEqual({ rejected: 'payload nests deeper than 32 levels (the limit)' });
    expect(JSON.stringify((ours[8] as { payload: unknown }).payload)).toBe('{"a":2,"b":1,"c":{"y":2,"z":1}}');
  });

  it('judges what the reference cannot decode at all, event by event', () => {
    // 120 JSON levels: protobufjs refuses the whole call (past 100 message
    // levels) and will not even encode it, so the bytes are framed by hand.
    const len = (n: number) => {
      const out: number[] = [];
      while (n >= 0x80) {
        out.push((n & 0x7f) | 0x80);
        n = Math.floor(n / 128);
      }
      out.push(n);
      return Buffer.from(out);
    };
    const field = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), len(body.length), body]);
    let struct = Buffer.alloc(0);
    for (let i = 0; i < 120; i++) struct = field(0x0a, Buffer.concat([field(0x0a, Buffer.from('n')), field(0x12, field(0x2a, struct))]));
    const deepEvent = field(0x0a, field(0x12, struct));
    const ok = { event_id: '0193a0b0-0000-7000-8000-000000000002', payload: toStruct({ fine: true }) };
    const buf = Buffer.concat([deepEvent, encode({ events: [ok] })]);
    expect(() => reference(buf)).toThrow();
    const ours = decodeReportEventsRequest(buf);
    expect(ours.events![0]!.invalid).toBe('payload nests deeper than 32 levels (the limit)');
    expect(ours.events![1]!.payloadJson).toEqual({ fine: true });
  });

  it('rejects invalid UTF-8 in one event and keeps the others', () => {
    const good = encode({ events: [{ payload: toStruct({ s: 'AB' }) }] });
    const bad = Buffer.from(good);
    bad[bad.indexOf(Buffer.from('AB'))] = 0xff;
    const both = Buffer.concat([bad, good]);
    const ours = decodeReportEventsRequest(both);
    expect(ours.events!.map((e) => e.invalid)).toEqual(['a string in payload is not valid UTF-8', undefined]);
  });

  it('reports broken framing for the request, never throwing', () => {
    const buf = encode({ events: [{ payload: toStruct({ a: 'b' }) }], sensor_id: 'x' });
    expect(decodeReportEventsRequest(buf.subarray(0, buf.length - 2)).malformed).toMatch(/not a valid ReportEventsRequest/);
    expect(decodeReportEventsRequest(Buffer.from([0x0b])).malformed).toMatch(/wire type 3/);
    expect(decodeReportEventsRequest(Buffer.alloc(0))).toEqual({ events: [] });
  });
});
