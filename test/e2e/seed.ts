// The e2e data: 240 events every 15 minutes from 2026-12-01T00:00Z, with
// counts the tests can reason about exactly.
//   sensor       pump-1, pump-2, pump-3, tank-7 by i % 4
//   team         reliability when i % 3 == 0, else field-ops
//   $tk.api_type java when i % 3 == 0, else python; api_version 0.3.1; server 0.1.0
//   client ip    10.0.0.(i % 4); tank-7 alternates 10.0.0.3 and 10.0.9.3
//   skew         50 ms late; pump-3's clock runs 20 ms ahead; every 10th event 250 ms late
//   rule         every 5th event matched "High temperature" (alert), with snapshots
//   spoofing     every 37th event carried a `$tk.client_ip` the station stripped
//   evidence     event 50's record snapshot holds a temperature its payload does not (re-verification: disagrees)
import { newUuid7 } from '../../core/domain/identifier.js';

export const SEED_COUNT = 240;
/** The one event whose recorded evidence does not hold. */
export const SUSPICIOUS = 50;
export const START_MS = Date.UTC(2026, 11, 1);
export const RULE_ID = '01938a00-0000-7000-8000-000000000001';

export const RULE_SNAPSHOT = {
  rule_id: RULE_ID,
  name: 'High temperature',
  action: 'alert',
  conditions: [
    { or_group: 0, field_path: '$.reading.temperature', operator: 'gt', value: 80, field_type: 'numeric', on_missing_field: 'skip' },
    { or_group: 0, field_path: '$.reading.pressure', operator: 'lt', value: 9 },
    { or_group: 1, field_path: '$.devices[*].temperature', operator: 'gte', value: 90 },
  ],
  on_missing_field: 'skip',
  sample_rate: 1,
  created_at: '2026-11-20T08:00:00.000000000Z',
};

const iso = (ms: number, extraNanos = 0) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_, m: string) => `.${m}${String(extraNanos).padStart(6, '0')}Z`);

export interface SeedEvent {
  event_id: string;
  client_timestamp: string;
  server_received_at: string;
  payload: Record<string, unknown>;
  metadata: Record<string, string>;
  [k: string]: unknown;
}

export function seedEvents(): SeedEvent[] {
  return Array.from({ length: SEED_COUNT }, (_, i) => {
    const sensor = ['pump-1', 'pump-2', 'pump-3', 'tank-7'][i % 4]!;
    const received = START_MS + i * 15 * 60_000;
    const skew = sensor === 'pump-3' ? -20 : i % 10 === 0 ? 250 : 50;
    const temperature = 60 + (i % 40);
    const e: SeedEvent = {
      event_id: newUuid7(),
      client_timestamp: iso(received - skew, 123),
      server_received_at: iso(received, 456789),
      payload: { reading: { temperature, pressure: 4.5 }, devices: [{ id: 'a', temperature: temperature - 3 }, { id: 'b', temperature: 40 }], note: `reading ${i}` },
      metadata: {
        sensor_id: sensor,
        team: i % 3 === 0 ? 'reliability' : 'field-ops',
        '$tk.api_type': i % 3 === 0 ? 'java' : 'python',
        '$tk.api_version': '0.3.1',
        '$tk.server_version': '0.1.0',
        '$tk.client_ip': sensor === 'tank-7' && i % 8 === 7 ? '10.0.9.3' : `10.0.0.${i % 4}`,
      },
    };
    if (i % 5 === 0) {
      e.payload = { ...e.payload, reading: { temperature: 85.5, pressure: 4.5 } };
      e.matched_rules = [{ rule_id: RULE_ID, action: 'alert' }];
      e.rule_snapshot = RULE_SNAPSHOT;
      e.record_snapshot = { reading: { temperature: 85.5, pressure: 4.5 } };
      e.matched_field = '$.reading.temperature';
      e.matched_value = 85.5;
      if (i === SUSPICIOUS) e.record_snapshot = { reading: { temperature: 99, pressure: 4.5 } };
    }
    if (i % 37 === 0) e.audit = { stripped_metadata: { '$tk.client_ip': '6.6.6.6' }, client_timestamp_source: 'event' };
    return e;
  });
}

/** How many seed events satisfy a predicate on their index. */
export const countWhere = (p: (i: number) => boolean) => Array.from({ length: SEED_COUNT }, (_, i) => i).filter(p).length;
