import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalRuleJson, parseRule, ruleMatchesTags } from '../../../core/domain/rule.js';
import { etagOf, syncRules, toProtoRule } from '../../../core/rules/rule-sync.js';
import { REPO } from '../../helpers/station.js';

const fixture = JSON.parse(readFileSync(join(REPO, 'test/fixtures/rules.json'), 'utf8')) as unknown[];
const rules = fixture.map((r, i) => parseRule(r, `rule ${i + 1}`));

describe('rules in upstream JSON shape', () => {
  it('fills defaults and normalises timestamps and words', () => {
    expect(rules[0]).toMatchObject({ state: 'active', action: 'observe', sample_rate: 1, tags: [], created_at: '2026-10-01T00:00:00.000000000Z' });
    expect(rules[0]!.any[0]!.all[0]).toEqual({
      field: ['readings', '*', 'temperature'], field_type: 'numeric', op: 'gt', value: 80, on_missing_field: 'skip', on_coercion_fail: 'skip',
    });
    expect(rules[1]).toMatchObject({ tags: ['production', 'site=north'], created_at: '2026-10-01T22:00:00.500000000Z' });
    expect(rules[2]!.created_at).toBe('');
    expect(canonicalRuleJson(parseRule(JSON.parse(JSON.stringify(fixture[0]))))).toBe(canonicalRuleJson(rules[0]!));
  });

  it.each([
    [{ rule_id: 'x' }, /rule_id "x" is not a UUID/],
    [{ ...(fixture[0] as object), name: '' }, /name must be a non-empty string/],
    [{ ...(fixture[0] as object), action: 'explode' }, /action must be one of observe, drop, fail/],
    [{ ...(fixture[0] as object), sample_rate: 2 }, /sample_rate must be a number from 0 to 1/],
    [{ ...(fixture[0] as object), any: [] }, /any must be a non-empty array/],
    [{ ...(fixture[0] as object), any: [{ all: [{ field: [], op: 'eq', value: 1 }] }] }, /field must be a non-empty array/],
    [{ ...(fixture[0] as object), any: [{ all: [{ field: ['a'], op: 'near', value: 1 }] }] }, /op must be one of eq/],
    [{ ...(fixture[0] as object), any: [{ all: [{ field: ['a'], op: 'in', values: [] }] }] }, /values must hold 1 to 64/],
    [{ ...(fixture[0] as object), any: [{ all: [{ field: ['a'], op: 'eq', value: 1, field_ref: ['b'] }] }] }, /exclude each other/],
    [{ ...(fixture[0] as object), any: [{ all: [{ field: ['a'], op: 'lt', field_ref: ['b', '*'] }] }] }, /wildcards are not allowed/],
    [{ ...(fixture[0] as object), created_at: '2026-13-01T00:00:00Z' }, /created_at: .*month 13/],
  ])('refuses a malformed rule, naming where (%#)', (rule, reason) => {
    expect(() => parseRule(rule)).toThrow(reason);
  });

  it('serves a rule to a sensor whose tags include all of its scope tags', () => {
    expect(ruleMatchesTags([], ['site=south'])).toBe(true);
    expect(ruleMatchesTags(['site=north', 'production'], [])).toBe(true);
    expect(ruleMatchesTags(['site=north', 'production'], ['site=north', 'production=yes'])).toBe(true);
    expect(ruleMatchesTags(['site=north', 'production'], ['site=north'])).toBe(false);
    expect(ruleMatchesTags(['site=north'], ['site=south', 'production'])).toBe(false);
  });
});

describe('SyncRules', () => {
  const stored = rules.map((r) => ({ ...r, created_at: r.created_at || '2026-11-01T00:00:00.000000000Z' }));

  it('serves ACTIVE rules for the tags, with an ETag over sorted ids and creation times', () => {
    const all = syncRules(stored, [], undefined);
    expect(all.rules.map((r) => (r as { rule_id: string }).rule_id)).toEqual([stored[0]!.rule_id, stored[1]!.rule_id]);
    expect(all.etag).toMatch(/^[0-9a-f]{64}$/);
    expect(all.etag).toBe(etagOf([stored[1]!, stored[0]!]));
    const south = syncRules(stored, ['site=south'], undefined);
    expect(south.rules).toHaveLength(1);
    expect(south.etag).not.toBe(all.etag);
    expect(syncRules(stored, [], all.etag)).toEqual({ rules: [], etag: all.etag });
  });

  it('writes rules as proto objects: enums by name, paths as segments, values by kind', () => {
    expect(toProtoRule(stored[1]!)).toMatchObject({
      action: 'ACTION_DROP',
      state: 'RULE_STATE_ACTIVE',
      scope_tags: [{ key: 'production', value: '' }, { key: 'site', value: 'north' }],
      or_groups: [{ group_index: 0, conditions: [{ op: 'OPERATOR_LT', field_ref: { segments: [{ field_name: 'min_pressure' }] }, on_coercion_fail: 'ON_COERCION_FAIL_MATCH' }] }],
      created_at: { seconds: 1790892000, nanos: 500000000 },
    });
    expect(toProtoRule(stored[0]!)).toMatchObject({
      or_groups: [
        { conditions: [{ field_path: { segments: [{ field_name: 'readings' }, { wildcard: {} }, { field_name: 'temperature' }] }, value: { numeric_value: 80 } }] },
        { conditions: [{ value: { string_array: { values: ['overheat', 'fault'] } } }] },
      ],
    });
  });
});
