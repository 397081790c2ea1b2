// Re-verification of recorded matches, end to end with the real `tk`: events
// with deliberately inconsistent evidence are flagged by `tk verify` and by
// `tk query --verification disagrees` (after import and after a reindex);
// consistent ones are not. Also `--where` payload conditions.
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newUuid7 } from '../../core/domain/identifier.js';
import { createDispatcher } from '../../core/api/dispatcher.js';
import { storeHandlers } from '../../core/api/store-handlers.js';
import { runTk, startStation, suiteDir, tempDir } from '../helpers/station.js';

const RULE = {
  rule_id: '01938a00-0000-7000-8000-0000000000aa',
  name: 'Hot device',
  action: 'observe',
  conditions: [
    { or_group: 0, field_path: '$.devices[*].temperature', operator: 'gt', value: 90, field_type: 'numeric', on_missing_field: 'skip' },
    { or_group: 0, field_path: '$.site', operator: 'eq', value: 'north', field_type: 'text' },
  ],
  sample_rate: 1,
  created_at: '2026-11-01T00:00:00.000000000Z',
};
const payload = { site: 'north', devices: [{ id: 'a', temperature: 70 }, { id: 'b', temperature: 95 }] };
const evidence = { matched_rules: [{ rule_id: RULE.rule_id, action: 'observe' }], rule_snapshot: RULE };

let n = 0;
function line(over: Record<string, unknown>, sensor = 'probe-1') {
  n++;
  return {
    event_id: newUuid7(),
    client_timestamp: `2026-12-02T10:00:0${n % 10}.000000000Z`,
    server_received_at: `2026-12-02T10:00:0${n % 10}.500000000Z`,
    payload,
    metadata: { sensor_id: sensor },
    ...over,
  };
}

const cases = {
  consistent: line({ ...evidence, record_snapshot: { site: 'north', devices: [{ temperature: 95 }] }, matched_field: '$.devices[1].temperature', matched_value: 95 }),
  ruleCannotMatch: line({ ...evidence, payload: { site: 'south', devices: [{ temperature: 99 }] } }),
  recordSnapshotNotInPayload: line({ ...evidence, record_snapshot: { devices: [{ temperature: 120 }] } }),
  wrongMatchedField: line({ ...evidence, matched_field: '$.devices[0].temperature', matched_value: 70 }),
  unreadableSnapshot: line({ matched_rules: [{ rule_id: 'x' }], rule_snapshot: { name: 'odd', conditions: [{ field_path: '$.site', operator: 'regex', value: 'n.*' }] } }),
  noSnapshot: line({}, 'probe-2'),
};
const id = (k: keyof typeof cases) => cases[k].event_id;

let data: string;
const ids = (args: string[]) => {
  const r = runTk(['query', '--json', '--data-dir', data, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n').map((l) => JSON.parse(l).event_id as string).sort();
};

beforeAll(() => {
  data = join(suiteDir('tk-verification-'), 'data');
  const file = join(data, '..', 'in.jsonl');
  writeFileSync(file, Object.values(cases).map((c) => JSON.stringify(c)).join('\n') + '\n');
  expect(runTk(['import', '--data-dir', data, file]).code).toBe(0);
});

describe('re-verification of recorded matches', () => {
  const disagreeing = () => [id('ruleCannotMatch'), id('recordSnapshotNotInPayload'), id('wrongMatchedField')].sort();

  it('tk query --verification lists the suspicious, the consistent and the unreadable apart', () => {
    expect(ids(['--verification', 'disagrees'])).toEqual(disagreeing());
    expect(ids(['--verification', 'agrees'])).toEqual([id('consistent')]);
    expect(ids(['--verification', 'not_verifiable'])).toEqual([id('unreadableSnapshot')]);
  });

  it('tk verify reports each suspicious event with its reason, and fails', () => {
    const r = runTk(['verify', '--json', '--data-dir', data]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.findings).toEqual([]);
    expect(report.notVerifiable).toBe(1);
    expect(report.suspiciousCount).toBe(3);
    const why = Object.fromEntries(report.suspicious.map((s: { event_id: string; reasons: string[] }) => [s.event_id, s.reasons.join('; ')]));
    expect(Object.keys(why).sort()).toEqual(disagreeing());
    expect(why[id('ruleCannotMatch')]).toMatch(/"Hot device" does not match the payload/);
    expect(why[id('recordSnapshotNotInPayload')]).toMatch(/record snapshot differs from the payload at \$\.devices\[0\]/);
    expect(why[id('wrongMatchedField')]).toMatch(/do not hold at matched_field \$\.devices\[0\]\.temperature \(it holds at \$\.devices\[1\]\.temperature\)/);
    const text = runTk(['verify', '--data-dir', data]);
    expect(text.stdout).toMatch(/3 events whose recorded rule match does not hold against their payload/);
  });

  it('lists the first 1000 suspicious events and counts them all', () => {
    const dir = tempDir();
    const file = join(dir, 'many.jsonl');
    const many = Array.from({ length: 1002 }, () => ({ ...cases.ruleCannotMatch, event_id: newUuid7() }));
    writeFileSync(file, many.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const d = join(dir, 'd');
    expect(runTk(['import', '--data-dir', d, file]).code).toBe(0);
    const r = runTk(['verify', '--json', '--data-dir', d]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.suspicious).toHaveLength(1000);
    expect(report.suspiciousCount).toBe(1002);
    expect(runTk(['verify', '--data-dir', d]).stdout).toMatch(/1002 events whose recorded rule match does not hold against their payload \(the first 1000; tk query --verification disagrees lists all\)/);
  });

  it('gives the same verdicts after tk reindex (the fast path reads snapshots too)', () => {
    expect(runTk(['reindex', '--data-dir', data]).code).toBe(0);
    expect(ids(['--verification', 'disagrees'])).toEqual(disagreeing());
    expect(ids(['--verification', 'agrees'])).toEqual([id('consistent')]);
  });

  it('gives the trace in the contract: group and condition by condition, with where each held', async () => {
    const dir = tempDir();
    const file = join(dir, 'one.jsonl');
    writeFileSync(file, JSON.stringify(cases.consistent) + '\n' + JSON.stringify(cases.ruleCannotMatch) + '\n');
    expect(runTk(['import', '--data-dir', join(dir, 'd'), file]).code).toBe(0);
    const store = await startStation(join(dir, 'd'));
    const dispatch = createDispatcher(storeHandlers(store));
    const good = (await dispatch('getEvent', { eventId: id('consistent') })) as { ok: true; result: any };
    expect(good.result.verification).toMatchObject({ verdict: 'agrees', reasons: [], sampled: false, recordSnapshotConsistent: true });
    expect(good.result.verification.rules[0].evaluation).toMatchObject({
      matched: true,
      group: 0,
      matchedField: '$.devices[1].temperature',
      matchedValue: 95,
      groups: [{ holds: true, conditions: [{ holds: true, why: 'compared', at: '$.devices[1].temperature' }, { holds: true, at: '$.site', value: 'north' }] }],
    });
    const bad = (await dispatch('getEvent', { eventId: id('ruleCannotMatch') })) as { ok: true; result: any };
    expect(bad.result.verification.verdict).toBe('disagrees');
    expect(bad.result.verification.rules[0].evaluation.groups[0].conditions[1]).toMatchObject({ holds: false, why: 'compared', value: 'south' });
    const listed = (await dispatch('listEvents', { verification: 'disagrees' })) as { ok: true; result: { events: Array<{ eventId: string }> } };
    expect(listed.result.events.map((e) => e.eventId)).toEqual([id('ruleCannotMatch')]);
    await store.close();
  });
});

describe('payload conditions (--where)', () => {
  it('keeps the events whose payload satisfies the condition, combined with the indexed filters', () => {
    // Every event but ruleCannotMatch has device b at 95; that one has a single device at 99.
    expect(ids(['--where', '$.devices[*].temperature > 90'])).toHaveLength(6);
    expect(ids(['--where', '$.devices[*].temperature > 96'])).toEqual([id('ruleCannotMatch')]);
    expect(ids(['--where', '$.site == "south"'])).toEqual([id('ruleCannotMatch')]);
    expect(ids(['--where', '$.site == north', '--sensor', 'probe-2'])).toEqual([id('noSnapshot')]);
    expect(ids(['--where', '$.devices[1].id exists'])).toHaveLength(5);
  });

  it('says what is wrong with a condition it cannot read', () => {
    const r = runTk(['query', '--data-dir', data, '--where', '$.a ~ 3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/where: cannot read "\$\.a ~ 3": write PATH OPERATOR VALUE/);
    const wild = runTk(['query', '--data-dir', data, '--where', '$.a[*].b[*].c[*] > 1']);
    expect(wild.stderr).toMatch(/3 wildcards, more than 2/);
  });
});

describe('rule versions and their diff', () => {
  it('groups versions by name and says what changed: conditions added, removed, changed; action; sample rate', async () => {
    const dir = tempDir();
    const v2 = {
      ...RULE,
      rule_id: '01938a00-0000-7000-8000-0000000000bb',
      action: 'drop',
      sample_rate: 0.5,
      created_at: '2026-11-15T00:00:00.000000000Z',
      conditions: [
        { or_group: 0, field_path: '$.devices[*].temperature', operator: 'gt', value: 95, field_type: 'numeric', on_missing_field: 'skip' },
        { or_group: 0, field_path: '$.devices[*].id', operator: 'exists', field_type: 'any' },
      ],
    };
    const file = join(dir, 'v.jsonl');
    writeFileSync(file, [cases.consistent, line({ matched_rules: [{ rule_id: v2.rule_id }], rule_snapshot: v2 })].map((l) => JSON.stringify(l)).join('\n') + '\n');
    const d = join(dir, 'd');
    expect(runTk(['import', '--data-dir', d, file]).code).toBe(0);
    // A third version lives in the station's own rule store, in upstream's shape.
    const v3 = { rule_id: '01938a00-0000-7000-8000-0000000000cc', name: 'Hot device', action: 'observe', sample_rate: 1, created_at: '2026-11-20T00:00:00Z', any: [{ all: [{ field: ['site'], op: 'eq', value: 'north', field_type: 'text' }] }] };
    writeFileSync(join(dir, 'rules.json'), JSON.stringify(v3));
    expect(runTk(['rules', 'import', '--data-dir', d, join(dir, 'rules.json')]).code).toBe(0);

    const r = runTk(['rules', 'diff', '--data-dir', d, RULE.rule_id, v2.rule_id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`from ${RULE.rule_id} "Hot device" (snapshot, created 2026-11-01T00:00:00.000000000Z, 1 events)`);
    expect(r.stdout).toContain('~ action: observe → drop');
    expect(r.stdout).toContain('~ sample rate: 1 → 0.5');
    expect(r.stdout).toContain('~ group 1 condition on $.devices[*].temperature: $.devices[*].temperature gt 90 · numeric');
    expect(r.stdout).toContain('→ $.devices[*].temperature gt 95 · numeric');
    expect(r.stdout).toContain('+ group 1 condition: $.devices[*].id exists · any');
    expect(r.stdout).toContain('- group 1 condition: $.site eq "north" · text');
    const json = JSON.parse(runTk(['rules', 'diff', '--json', '--data-dir', d, v2.rule_id, v3.rule_id]).stdout);
    expect(json.to).toMatchObject({ ruleId: v3.rule_id, source: 'station', events: 0 });
    const unknown = runTk(['rules', 'diff', '--data-dir', d, RULE.rule_id, '01938a00-0000-7000-8000-0000000000dd']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no rule 01938a00-0000-7000-8000-0000000000dd in this station's rules or in any stored event's snapshot/);

    const store = await startStation(d);
    const versions = (await createDispatcher(storeHandlers(store))('ruleVersions', {})) as { ok: true; result: { rules: Array<{ name: string; versions: Array<{ ruleId: string }> }> } };
    expect(versions.result.rules).toEqual([{ name: 'Hot device', versions: [expect.objectContaining({ ruleId: RULE.rule_id }), expect.objectContaining({ ruleId: v2.rule_id }), expect.objectContaining({ ruleId: v3.rule_id })] }]);
    await store.close();
  });
});
