import { describe, expect, it } from 'vitest';
import { encodeEvent } from '../../../core/domain/event-line.js';
import { endOfContainer, indexFactsOf, readLineFields } from '../../../core/domain/line-fields.js';
import { makeEvent, textOf } from '../../helpers/station.js';
import type { JsonObject } from '../../../core/domain/json.js';

describe('reading index facts from a canonical line', () => {
  it('agrees with the full parse, whatever the payload holds', () => {
    const tricky: JsonObject[] = [
      { s: 'brace } and bracket ] inside', q: 'quote " and backslash \\', nested: { metadata: { sensor_id: 'fake' } } },
      { '"payload":': { '},"metadata":{': '"' }, arr: [[[{}]]], u: 'é😀\u2028', e: '' },
      {},
    ];
    for (const payload of tricky) {
      const enc = encodeEvent(makeEvent({
        payload,
        matched_rules: [{ rule_id: 'r1', action: 'observe' }, { rule_id: 'r2' }],
        record_snapshot: { metadata: 'not this one' },
      }));
      const f = readLineFields(Buffer.from(textOf(enc)))!;
      expect(f).not.toBeNull();
      expect(f.eventId).toBe(enc.eventId);
      expect(f.clientTs).toBe(enc.clientTs);
      expect(f.receivedTs).toBe(enc.receivedTs);
      expect(f.payloadSha256.equals(enc.payloadSha256)).toBe(true);
      expect(f.metadata).toEqual(JSON.parse(textOf(enc)).metadata);
      expect(f.ruleIds).toEqual(['r1', 'r2']);
    }
  });

  it('counts the stripped `$` keys past snapshots and newer keys, the same as the full parse', () => {
    const cases = [
      { audit: { stripped_metadata: { '$tk.api_type': 'x', '$evil': 'y' }, client_timestamp_source: 'event' as const }, want: 2 },
      { audit: { client_timestamp_source: 'event' as const }, want: 0 },
      { want: 0 },
    ];
    for (const { want, ...extra } of cases) {
      const enc = encodeEvent(makeEvent({
        payload: { note: ',"audit":{"stripped_metadata":{"$fake":"1"}}' },
        rule_snapshot: { conditions: [{ field_path: '$.a', value: '"}' }] },
        matched_field: '$.a',
        matched_value: 3.5,
        ...extra,
      }));
      const text = textOf(enc);
      expect(enc.stripped).toBe(want);
      expect(readLineFields(Buffer.from(text))!.stripped).toBe(want);
      // A key from a newer station after audit, and the slow path on a non-canonical copy.
      const newer = text.slice(0, -1) + ',"future":[1,{"x":"}"}]}';
      expect(readLineFields(Buffer.from(newer))!.stripped).toBe(want);
      const loose = JSON.stringify(JSON.parse(text), null, 1).replace(/\n/g, '');
      const slow = indexFactsOf(Buffer.from(loose));
      expect(slow.kind === 'event' && slow.stripped).toBe(want);
    }
  });

  it('returns null for lines not in canonical shape, so the slow path reads them', () => {
    const enc = encodeEvent(makeEvent());
    expect(readLineFields(Buffer.from(JSON.stringify(JSON.parse(textOf(enc)), null, 1).replace(/\n/g, '')))).toBeNull();
    expect(readLineFields(Buffer.from('{"marker":"delete"}'))).toBeNull();
    expect(readLineFields(Buffer.from(textOf(enc).slice(0, 200)))).toBeNull();
  });

  it('finds the end of nested containers, skipping strings', () => {
    const b = Buffer.from('{"a":"}","b":[1,{"c":"\\"]"}]}tail');
    expect(endOfContainer(b, 0)).toBe(b.length - 4);
    expect(endOfContainer(Buffer.from('{"a":1'), 0)).toBe(-1);
  });
});
