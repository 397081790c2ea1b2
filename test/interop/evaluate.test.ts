// `tk serve --evaluate`: events a sensor reports without a match of its own are
// evaluated against the station's ACTIVE rules, and the evidence is stored as
// a sensor would have sent it — and it re-verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newUuid7 } from '../../core/domain/identifier.js';
import { runTk, suiteDir } from '../helpers/station.js';
import { startServe, type RunningStation } from '../helpers/serve.js';
import { sensorClient, toStruct, unary, type Client } from '../helpers/grpc-client.js';

const HOT = '01938a00-0000-7000-8000-0000000000e1';
const NEVER = '01938a00-0000-7000-8000-0000000000e2';
const DRAFT = '01938a00-0000-7000-8000-0000000000e3';
const rules = [
  { rule_id: HOT, name: 'Hot device', action: 'observe', sample_rate: 1, created_at: '2026-11-01T00:00:00Z', any: [
    { all: [{ field: ['devices', '*', 'temperature'], op: 'gt', value: 90, field_type: 'numeric' }, { field: ['site'], op: 'eq', value: 'north', field_type: 'text' }] },
  ] },
  // Sampled at 0: never evaluated.
  { rule_id: NEVER, name: 'Never', action: 'drop', sample_rate: 0, created_at: '2026-11-02T00:00:00Z', any: [{ all: [{ field: ['site'], op: 'exists' }] }] },
  { rule_id: DRAFT, name: 'Draft', action: 'observe', state: 'draft', sample_rate: 1, created_at: '2026-11-03T00:00:00Z', any: [{ all: [{ field: ['site'], op: 'exists' }] }] },
];

let station: RunningStation;
let data: string;
let client: Client;
const get = (id: string) => JSON.parse(runTk(['get', id, '--json', '--data-dir', data]).stdout);

beforeAll(async () => {
  const dir = suiteDir('tk-evaluate-');
  data = join(dir, 'data');
  writeFileSync(join(dir, 'rules.json'), JSON.stringify(rules));
  expect(runTk(['rules', 'import', '--data-dir', data, join(dir, 'rules.json')]).code).toBe(0);
  station = await startServe(data, ['--evaluate', '--no-http']);
  client = sensorClient(station.grpc);
});
afterAll(async () => {
  client?.close();
  if (station) expect(await station.stop()).toBe(0);
});

describe('tk serve --evaluate', () => {
  it("fills the evidence of events that match the station's active rules, and only theirs", async () => {
    const hot = newUuid7();
    const cold = newUuid7();
    const own = newUuid7();
    const res = await unary<{ accepted_count: number }>(client, 'ReportEvents', {
      events: [
        { event_id: hot, payload: toStruct({ site: 'north', note: 'x', devices: [{ id: 'a', temperature: 70 }, { id: 'b', temperature: 95 }, { id: 'c', temperature: 99 }] }) },
        { event_id: cold, payload: toStruct({ site: 'north', devices: [{ id: 'a', temperature: 70 }] }) },
        // The sensor's own evidence is kept, not replaced.
        { event_id: own, payload: toStruct({ site: 'north', devices: [{ temperature: 95 }] }), matched_rules: [{ rule_id: 'sensor-rule', action: 'ACTION_OBSERVE' }] },
      ],
    });
    expect(res.accepted_count).toBe(3);

    const e = get(hot);
    expect(e.matched_rules).toEqual([{ rule_id: HOT, action: 'observe' }]);
    expect(e.rule_snapshot).toMatchObject({ rule_id: HOT, name: 'Hot device', action: 'observe', sample_rate: 1, conditions: [
      { or_group: 0, field_path: '$.devices[*].temperature', operator: 'gt', value: 90, field_type: 'numeric', on_missing_field: 'skip', on_coercion_fail: 'skip' },
      { or_group: 0, field_path: '$.site', operator: 'eq', value: 'north', field_type: 'text' },
    ] });
    // Only the fields the rule reads, only the elements that matched.
    expect(e.record_snapshot).toEqual({ devices: [{ temperature: 95 }, { temperature: 99 }], site: 'north' });
    expect(e.matched_field).toBe('$.devices[1].temperature');
    expect(e.matched_value).toBe(95);
    expect(e.matched_condition).toEqual(['any', 0, 'all']);

    expect(get(cold).matched_rules).toBeUndefined();
    expect(get(own).matched_rules).toEqual([{ rule_id: 'sensor-rule', action: 'observe' }]);
    expect(get(own).rule_snapshot).toBeUndefined();

    // What the station wrote re-verifies.
    const agreed = runTk(['query', '--json', '--verification', 'agrees', '--data-dir', data]).stdout.trim().split('\n').map((l) => JSON.parse(l).event_id);
    expect(agreed).toEqual([hot]);
  });
});
