import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  encodeEvent, encodeMarker, encodePayload, PAYLOAD_LIMITS, parseOwnLine, validateStoredLine,
} from '../../../core/domain/event-line.js';
import { makeEvent, textOf } from '../../helpers/station.js';

function nest(levels: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) v = { n: v };
  return v;
}

describe('payload', () => {
  it('accepts objects up to the documented depth and refuses one level more', () => {
    expect(() => encodePayload(nest(PAYLOAD_LIMITS.depth))).not.toThrow();
    expect(() => encodePayload(nest(PAYLOAD_LIMITS.depth + 1))).toThrow(/nests deeper than 32 levels/);
  });

  it('survives hostile nesting without overflowing the stack', () => {
    expect(() => encodePayload(nest(200_000))).toThrow(/nests deeper/);
  });

  it('accepts exactly 1 MB and refuses a byte more', () => {
    const pad = PAYLOAD_LIMITS.bytes - '{"p":""}'.length;
    expect(() => encodePayload({ p: 'x'.repeat(pad) })).not.toThrow();
    expect(() => encodePayload({ p: 'x'.repeat(pad + 1) })).toThrow(/payload is 1048577 bytes; the limit is 1048576/);
    // Multi-byte characters count in bytes.
    expect(() => encodePayload({ p: '€'.repeat(Math.ceil(pad / 3) + 1) })).toThrow(/bytes; the limit/);
  });

  it.each([
    [[1, 2], /got an array/],
    [null, /got null/],
    ['text', /got a string/],
    [{ s: 'a\udc00b' }, /not valid Unicode/],
    [{ ['\ud800']: 1 }, /key that is not valid Unicode/],
    [{ n: Number.NaN }, /non-finite number/],
  ])('refuses %j with a reason', (payload, reason) => {
    expect(() => encodePayload(payload)).toThrow(reason);
  });
});

describe('event line', () => {
  it('encodes keys in canonical order, one line, parseable by JSON', () => {
    const e = makeEvent({ payload: { text: 'line\nbreak', u: '\u2028' }, matched_rules: [{ rule_id: 'r', action: 'observe' }] });
    const encodedE = encodeEvent(e);
    const text = textOf(encodedE);
    const payloadSha256 = encodedE.payloadSha256;
    expect(text).not.toContain('\n');
    expect(Object.keys(JSON.parse(text))).toEqual([
      'event_id', 'client_timestamp', 'server_received_at', 'payload', 'metadata', 'matched_rules',
    ]);
    expect(JSON.parse(text)).toEqual(e);
    expect(Buffer.from(payloadSha256).toString('hex')).toBe(createHash('sha256').update(JSON.stringify(e.payload)).digest('hex'));
  });

  it('keeps extension fields present only when they carry something', () => {
    const e = makeEvent({ audit: { client_timestamp_source: 'request' } });
    const keys = Object.keys(JSON.parse(textOf(encodeEvent(e))));
    expect(keys).toContain('audit');
    expect(keys).not.toContain('rule_snapshots');
  });

  it('validates stored lines and normalises their timestamps', () => {
    const e = makeEvent({ client_timestamp: '2026-12-04T10:00:00.000+01:00', server_received_at: '2026-12-04T09:00:01Z' });
    const r = validateStoredLine(JSON.parse(JSON.stringify(e)));
    expect(r.kind).toBe('event');
    if (r.kind !== 'event') return;
    expect(r.event.client_timestamp).toBe('2026-12-04T09:00:00.000000000Z');
    expect(r.event.server_received_at).toBe('2026-12-04T09:00:01.000000000Z');
  });

  it.each([
    [(e: Record<string, unknown>) => delete e.event_id, /event_id is missing/],
    [(e: Record<string, unknown>) => (e.event_id = '018c9f8e-1234-4abc-9def-0123456789ab'), /version 4/],
    [(e: Record<string, unknown>) => (e.payload = [1]), /payload must be a JSON object, got an array/],
    [(e: Record<string, unknown>) => delete e.payload, /payload is missing/],
    [(e: Record<string, unknown>) => (e.client_timestamp = '2026-13-01T00:00:00Z'), /client_timestamp: .*month 13/],
    [(e: Record<string, unknown>) => (e.server_received_at = 17), /server_received_at must be an RFC 3339 string/],
    [(e: Record<string, unknown>) => (e.metadata = { k: 1 }), /must be a string/],
    [(e: Record<string, unknown>) => (e.matched_rules = {}), /matched_rules must be an array/],
    [(e: Record<string, unknown>) => (e.matched_rules = [{ action: 'x' }]), /matched_rules\[0\]\.rule_id/],
    [(e: Record<string, unknown>) => (e.rule_snapshot = 'r'), /rule_snapshot must be an object/],
  ])('rejects a malformed stored line (%#)', (mutate, reason) => {
    const e = JSON.parse(JSON.stringify(makeEvent())) as Record<string, unknown>;
    mutate(e);
    expect(() => validateStoredLine(e)).toThrow(reason);
  });

  it('round-trips marker lines, which have no payload', () => {
    const m = {
      marker: 'delete' as const,
      marker_id: '018c9f8e-1234-7abc-9def-0123456789ab',
      event_id: '018c9f8e-1234-7abc-9def-0123456789ac',
      marked_at: '2026-12-04T10:00:00.000000000Z',
      reason: 'test data',
    };
    const text = encodeMarker(m);
    expect(JSON.parse(text)).not.toHaveProperty('payload');
    expect(parseOwnLine(text)).toEqual({ kind: 'marker', marker: m });
    expect(validateStoredLine(JSON.parse(text))).toEqual({ kind: 'marker', marker: m });
    expect(() => validateStoredLine({ ...m, marker: 'purge' })).toThrow(/only "delete"/);
  });
});
