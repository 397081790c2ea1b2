import { describe, expect, it } from 'vitest';
import { structToJson, valueToJson } from '../../../core/ingest/struct-json.js';
import { pathText, ruleToSnapshot } from '../../../core/ingest/rule-snapshot.js';
import { clientIpOf } from '../../../core/ingest/peer-address.js';
import { prepareEvent, reportEvents, type Arrival } from '../../../core/ingest/report-events.js';
import { Instant } from '../../../core/domain/instant.js';
import { newUuid7 } from '../../../core/domain/identifier.js';
import { startStation, tempDir, textOf } from '../../helpers/station.js';

const arrival: Arrival = {
  receivedAt: Instant.parse('2026-12-04T12:00:00.000000001Z'),
  serverVersion: '0.1.0',
  clientIp: '10.0.0.7',
  apiType: 'python',
};

describe('Struct to JSON', () => {
  it('converts every kind and sorts map keys so the same record has one text', () => {
    const s = {
      fields: {
        z: { kind: 'numberValue', numberValue: 1.5 },
        a: { kind: 'listValue', listValue: { values: [{ kind: 'stringValue', stringValue: 'x' }, { kind: 'nullValue', nullValue: 0 }, {}] } },
        m: { kind: 'structValue', structValue: { fields: { b: { kind: 'boolValue', boolValue: true } } } },
      },
    };
    expect(JSON.stringify(structToJson(s))).toBe('{"a":["x",null,null],"m":{"b":true},"z":1.5}');
    expect(structToJson(undefined)).toEqual({});
  });

  it('refuses numbers JSON cannot hold', () => {
    for (const n of [Number.NaN, Infinity, -Infinity]) {
      expect(() => valueToJson({ kind: 'numberValue', numberValue: n })).toThrow(/which JSON cannot hold/);
    }
  });
});

describe('rule snapshot from a gRPC Rule', () => {
  it('takes the seed shape: lower-case words, path text, one entry per condition', () => {
    const snap = ruleToSnapshot({
      rule_id: '0193a0b0-0000-7000-8000-00000000000a',
      name: 'High temperature',
      state: 'RULE_STATE_ACTIVE',
      action: 'ACTION_OBSERVE',
      sample_rate: 1,
      created_at: { seconds: '1764842400', nanos: 5 },
      or_groups: [
        {
          group_index: 0,
          conditions: [{
            field_path: { segments: [{ segment_type: 'field_name', field_name: 'readings' }, { segment_type: 'wildcard', wildcard: {} }, { segment_type: 'field_name', field_name: 'c' }] },
            op: 'OPERATOR_GT',
            value: { value_type: 'numeric_value', numeric_value: 80 },
            field_type: 'FIELD_TYPE_NUMERIC',
            on_missing_field: 'ON_MISSING_FIELD_SKIP',
          }],
        },
        {
          group_index: 1,
          conditions: [{
            field_path: { segments: [{ segment_type: 'field_name', field_name: 'tags' }, { segment_type: 'array_index', array_index: 0 }] },
            op: 'OPERATOR_IN',
            value: { value_type: 'string_array', string_array: { values: ['a', 'b'] } },
            on_missing_field: 'ON_MISSING_FIELD_SKIP',
            on_coercion_fail: 'ON_COERCION_FAIL_FAIL',
          }],
        },
      ],
    });
    expect(snap).toEqual({
      rule_id: '0193a0b0-0000-7000-8000-00000000000a',
      name: 'High temperature',
      action: 'observe',
      conditions: [
        { or_group: 0, field_path: '$.readings[*].c', operator: 'gt', value: 80, field_type: 'numeric', on_missing_field: 'skip' },
        { or_group: 1, field_path: '$.tags[0]', operator: 'in', value: ['a', 'b'], on_missing_field: 'skip', on_coercion_fail: 'fail' },
      ],
      on_missing_field: 'skip',
      sample_rate: 1,
      created_at: '2025-12-04T10:00:00.000000005Z',
      state: 'active',
    });
    expect(pathText(undefined)).toBe('$');
  });
});

describe('client IP from the peer address', () => {
  it.each([
    ['ipv4:127.0.0.1:51234', '127.0.0.1'],
    ['127.0.0.1:51234', '127.0.0.1'],
    ['ipv6:[::1]:443', '::1'],
    ['[::ffff:10.1.2.3]:9000', '10.1.2.3'],
    ['ipv6:%5B::ffff:192.168.1.100%5D:80', '192.168.1.100'],
    ['[fe80::1%25eth0]:1', 'fe80::1%eth0'],
    ['', undefined],
  ])('%j → %j', (peer, ip) => {
    expect(clientIpOf(peer)).toBe(ip);
  });
});

describe('prepareEvent', () => {
  it('takes the client time from the event, else the request, else receipt, and says which', () => {
    const ev = { event_id: newUuid7(), payload: { fields: {} } };
    const ts = { seconds: '1764842400', nanos: 7 };
    const fromEvent = prepareEvent({ ...ev, client_timestamp: ts }, { client_timestamp: { seconds: '1', nanos: 0 } }, arrival);
    const fromRequest = prepareEvent(ev, { client_timestamp: ts }, arrival);
    const fromReceipt = prepareEvent(ev, {}, arrival);
    const lineOf = (p: ReturnType<typeof prepareEvent>) => JSON.parse(textOf((p as { encoded: Parameters<typeof textOf>[0] }).encoded));
    expect(lineOf(fromEvent)).toMatchObject({ client_timestamp: '2025-12-04T10:00:00.000000007Z', audit: { client_timestamp_source: 'event' } });
    expect(lineOf(fromRequest)).toMatchObject({ client_timestamp: '2025-12-04T10:00:00.000000007Z', audit: { client_timestamp_source: 'request' } });
    expect(lineOf(fromReceipt)).toMatchObject({ client_timestamp: '2026-12-04T12:00:00.000000001Z', audit: { client_timestamp_source: 'receipt' } });
  });

  it('gives a reason for a bad timestamp or a non-finite number', () => {
    expect(prepareEvent({ payload: { fields: {} }, client_timestamp: { seconds: '0', nanos: 1_000_000_000 } }, {}, arrival))
      .toEqual({ reason: 'client_timestamp: nanos 1000000000 is out of range [0, 999999999]' });
    expect(prepareEvent({ payload: { fields: { x: { kind: 'numberValue', numberValue: Number.NaN } } } }, {}, arrival))
      .toEqual({ reason: 'a number value is NaN, which JSON cannot hold' });
  });

  it('keeps the sensor evidence: matched rules, snapshots, record snapshot, matched value and condition', () => {
    const p = prepareEvent({
      payload: { fields: { t: { kind: 'numberValue', numberValue: 99 } } },
      matched_rules: [{ rule_id: 'r1', action: 'ACTION_DROP' }, { rule_id: 'r2' }],
      rule_snapshots: [{ rule_id: 'r1', action: 'ACTION_DROP' }, { rule_id: 'r2', action: 'ACTION_OBSERVE' }],
      record_snapshot: { fields: { t: { kind: 'numberValue', numberValue: 99 } } },
      matched_field: '$.t',
      matched_value: { kind: 'numberValue', numberValue: 99 },
      matched_condition: { values: [{ kind: 'stringValue', stringValue: 'any' }, { kind: 'numberValue', numberValue: 0 }] },
    }, {}, arrival) as { encoded: Parameters<typeof textOf>[0] };
    const line = JSON.parse(textOf(p.encoded));
    expect(line.matched_rules).toEqual([{ rule_id: 'r1', action: 'drop' }, { rule_id: 'r2' }]);
    expect(line.rule_snapshot).toMatchObject({ rule_id: 'r1', action: 'drop' });
    expect(line.rule_snapshots.map((r: { rule_id: string }) => r.rule_id)).toEqual(['r1', 'r2']);
    expect(line.record_snapshot).toEqual({ t: 99 });
    expect(line.matched_field).toBe('$.t');
    expect(line.matched_value).toBe(99);
    expect(line.matched_condition).toEqual(['any', 0]);
  });
});

describe('reportEvents', () => {
  it('counts ACCEPTED against REJECTED plus ERROR, in request order', async () => {
    const store = await startStation(tempDir());
    const res = await reportEvents(store, {
      sensor_id: 's1',
      events: [{ payload: { fields: {} } }, { event_id: 'nope', payload: { fields: {} } }, { payload: { fields: {} } }],
    }, arrival);
    expect(res.results.map((r) => r.status)).toEqual(['EVENT_STATUS_ACCEPTED', 'EVENT_STATUS_REJECTED', 'EVENT_STATUS_ACCEPTED']);
    expect(res.results[1]!.event_id).toBe('nope');
    expect([res.accepted_count, res.rejected_count]).toEqual([2, 1]);
    expect(store.reader.count({ sensor: 's1' })).toBe(2);
    await store.close();
  });
});
