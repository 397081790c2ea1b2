// Table-driven tests of the rule evaluator against upstream TrapperKeeper's
// rule-engine semantics (doc/04-rule-engine), one table per semantic rule.
import { describe, expect, it } from 'vitest';
import { compileRule, RuleShapeError } from '../../../core/rules/compiled-rule.js';
import { evaluateRule } from '../../../core/rules/evaluate.js';
import { FieldPathError, parseFieldPath, resolvePath } from '../../../core/rules/field-path.js';
import type { JsonValue } from '../../../core/domain/json.js';

type Cond = Record<string, JsonValue>;
/** A seed-shape snapshot from groups of conditions. */
const rule = (...groups: Cond[][]) =>
  compileRule({ rule_id: 'r', name: 'test', action: 'observe', sample_rate: 1, conditions: groups.flatMap((g, i) => g.map((c) => ({ or_group: i, ...c }))) });
const one = (c: Cond) => rule([c]);
const matches = (r: ReturnType<typeof rule>, payload: JsonValue) => evaluateRule(r, payload).matched;

describe('field paths', () => {
  it.each([
    ['$.a.b.c', ['a', 'b', 'c']],
    ['$.s[3].v', ['s', 3, 'v']],
    ['$.r[*].t', ['r', null, 't']],
    ['$.d["x.y"]', ['d', 'x.y']],
    ['devices[*].temperature', ['devices', null, 'temperature']],
  ])('%s', (text, segs) => expect(parseFieldPath(text)).toEqual(segs));

  it('refuses more than two wildcards and more than sixteen segments, naming the limit', () => {
    expect(() => parseFieldPath('$.a[*].b[*].c[*]')).toThrow(/3 wildcards, more than 2/);
    expect(() => parseFieldPath('$' + '.x'.repeat(17))).toThrow(/17 segments, more than 16/);
    expect(() => parseFieldPath('$.a[x]')).toThrow(FieldPathError);
  });

  it.each<[string, JsonValue, Array<JsonValue | undefined>]>([
    ['$.user.name', { user: { name: 'Alice' } }, ['Alice']],
    ['$.users[0].name', { users: [{ name: 'Bob' }] }, ['Bob']],
    ['$.user.name', { user: null }, [undefined]],
    ['$.value.nested', { value: 'scalar' }, [undefined]],
    ['$.a[5]', { a: [1, 2, 3] }, [undefined]],
    ['$.a.key', { a: [1, 2, 3] }, [undefined]],
    ['$.a[0]', { a: { 0: 'value' } }, [undefined]],
    ['$.r[*].t', { r: [] }, []],
    ['$.r[*].t', { r: [{ t: 1 }, {}, { t: null }] }, [1, undefined, null]],
    ['$.d[*].e[*].s', { d: [{ e: [{ s: 1 }, { s: 2 }] }, { e: [{ s: 3 }] }] }, [1, 2, 3]],
  ])('resolves %s in %j', (path, payload, values) => {
    expect(resolvePath(payload, parseFieldPath(path)).map((r) => r.value)).toEqual(values);
  });
});

describe('DNF: OR of AND groups', () => {
  const r = rule([{ field_path: '$.temp', operator: 'gt', value: 100, field_type: 'numeric' }, { field_path: '$.sensor_id', operator: 'prefix', value: 'TEMP-', field_type: 'text' }], [{ field_path: '$.temp', operator: 'lt', value: 0, field_type: 'numeric' }]);
  it.each<[JsonValue, boolean, number | null]>([
    [{ temp: 105, sensor_id: 'TEMP-1' }, true, 0],
    [{ temp: 105, sensor_id: 'X' }, false, null],
    [{ temp: -5, sensor_id: 'X' }, true, 1],
    [{}, false, null],
  ])('%j → %s (group %s)', (payload, matched, group) => {
    const e = evaluateRule(r, payload);
    expect(e.matched).toBe(matched);
    expect(e.group).toBe(group);
  });

  it('records the first group that holds and its first compared condition as matched field and value', () => {
    const two = rule([{ field_path: '$.temp', operator: 'gt', value: 100, field_type: 'numeric' }], [{ field_path: '$.pressure', operator: 'lt', value: 10, field_type: 'numeric' }]);
    expect(evaluateRule(two, { temp: 50, pressure: 8 })).toMatchObject({ group: 1, matchedField: '$.pressure', matchedValue: 8 });
    expect(evaluateRule(two, { temp: 105, pressure: 8 })).toMatchObject({ group: 0, matchedField: '$.temp', matchedValue: 105 });
  });

  it('traces every condition of every group, with why each held or not', () => {
    const e = evaluateRule(r, { temp: 'hot', sensor_id: 'TEMP-9' });
    expect(e.groups.map((g) => g.conditions.map((c) => [c.holds, c.why]))).toEqual([
      [[false, 'coercion_failed'], [true, 'compared']],
      [[false, 'coercion_failed']],
    ]);
  });
});

describe('wildcards: ANY element, document order, the resolved index recorded', () => {
  const gt = (path: string, value: number, extra: Cond = {}) => one({ field_path: path, operator: 'gt', value, field_type: 'numeric', ...extra });
  it.each<[string, Cond, JsonValue, boolean, string | undefined, JsonValue | undefined]>([
    ['first of several', {}, { readings: [{ temp: 95 }, { temp: 105 }, { temp: 110 }] }, true, '$.readings[1].temp', 105],
    ['after a null element (skip)', {}, { readings: [{ temp: null }, { temp: 130 }] }, true, '$.readings[1].temp', 130],
    ['after an element that fails to coerce', {}, { readings: [{ temp: 10 }, { temp: 'invalid' }, { temp: 130 }] }, true, '$.readings[2].temp', 130],
    ['none above', {}, { readings: [{ temp: 10 }, { temp: 20 }] }, false, undefined, undefined],
    ['empty array, skip', {}, { readings: [] }, false, undefined, undefined],
    ['empty array, match', { on_missing_field: 'match' }, { readings: [] }, true, undefined, undefined],
    ['empty array, fail', { on_missing_field: 'fail' }, { readings: [] }, false, undefined, undefined],
    ['not an array', {}, { readings: { temp: 130 } }, false, undefined, undefined],
  ])('%s', (_, extra, payload, matched, field, value) => {
    const e = evaluateRule(gt('$.readings[*].temp', 100, extra), payload);
    expect(e.matched).toBe(matched);
    expect(e.matchedField).toBe(field);
    expect(e.matchedValue).toEqual(value);
  });

  it('nested wildcards: some element of some element', () => {
    const payload = { departments: [{ employees: [{ salary: 80000 }, { salary: 120000 }] }, { employees: [{ salary: 60000 }] }] };
    expect(evaluateRule(gt('$.departments[*].employees[*].salary', 100000), payload)).toMatchObject({ matched: true, matchedField: '$.departments[0].employees[1].salary', matchedValue: 120000 });
    expect(matches(gt('$.departments[*].employees[*].salary', 200000), payload)).toBe(false);
  });
});

describe('null is missing; coercion failure is not', () => {
  const c = (extra: Cond) => one({ field_path: '$.temperature', operator: 'gt', value: 100, field_type: 'numeric', ...extra });
  it.each<[string, Cond, JsonValue, boolean]>([
    ['absent, skip', {}, {}, false],
    ['null, skip', {}, { temperature: null }, false],
    ['absent, match', { on_missing_field: 'match' }, {}, true],
    ['null, match', { on_missing_field: 'match' }, { temperature: null }, true],
    ['null under match is not a coercion failure', { on_coercion_fail: 'match' }, { temperature: null }, false],
    ['text under coercion match', { on_coercion_fail: 'match' }, { temperature: 'abc' }, true],
    ['text under coercion match is not missing', { on_missing_field: 'match' }, { temperature: 'abc' }, false],
    ['both fail, 105', { on_missing_field: 'fail', on_coercion_fail: 'fail' }, { temperature: 105 }, true],
    ['both fail, "105"', { on_missing_field: 'fail', on_coercion_fail: 'fail' }, { temperature: '105' }, true],
    ['both fail, "abc"', { on_missing_field: 'fail', on_coercion_fail: 'fail' }, { temperature: 'abc' }, false],
    ['both fail, absent', { on_missing_field: 'fail', on_coercion_fail: 'fail' }, {}, false],
    ['null intermediate', { field_path: '$.user.age', on_missing_field: 'match' }, { user: null }, true],
  ])('%s', (_, extra, payload, matched) => expect(matches(c(extra), payload)).toBe(matched));

  it('takes the rule-level on_missing_field of the seed shape for conditions without their own', () => {
    const r = compileRule({ on_missing_field: 'match', conditions: [{ field_path: '$.gone', operator: 'eq', value: 1 }] });
    expect(matches(r, {})).toBe(true);
  });
});

describe('each operator × field type', () => {
  const cases: Array<[string, string, JsonValue, JsonValue, boolean | 'coercion']> = [
    // numeric: strict, numeric strings accepted (trimmed)
    ['numeric', 'gt', 18, 25, true],
    ['numeric', 'gt', 18, '25', true],
    ['numeric', 'gt', 18, ' 42 ', true],
    ['numeric', 'gt', 1e9, '1e10', true],
    ['numeric', 'gt', 18, 'abc', 'coercion'],
    ['numeric', 'gt', 18, '', 'coercion'],
    ['numeric', 'gt', 18, '123abc', 'coercion'],
    ['numeric', 'gt', 18, true, 'coercion'],
    ['numeric', 'eq', 12345, '12345', true],
    ['numeric', 'neq', 5, 6, true],
    ['numeric', 'lt', 0, -1, true],
    ['numeric', 'lte', 5, 5, true],
    ['numeric', 'gte', 5, 4.99, false],
    ['numeric', 'prefix', '10', 1003, true],
    // text: everything converts
    ['text', 'eq', '12345', 12345, true],
    ['text', 'prefix', '100', '1003873479', true],
    ['text', 'prefix', '100', 1003873479, true],
    ['text', 'prefix', '100', true, false],
    ['text', 'suffix', 'ue', true, true],
    ['text', 'contains', 'stuck', 'valve stuck open', true],
    ['text', 'eq', '', '', true],
    ['text', 'lt', 'b', 'a', true],
    // boolean: strict
    ['boolean', 'eq', true, true, true],
    ['boolean', 'eq', true, 'true', 'coercion'],
    ['boolean', 'eq', true, 1, 'coercion'],
    ['boolean', 'neq', true, false, true],
    ['boolean', 'gt', true, true, 'coercion'],
    // any: lenient
    ['any', 'eq', 25, 25, true],
    ['any', 'eq', 25, '25', true],
    ['any', 'eq', 25, true, 'coercion'],
    ['any', 'eq', 'a', 'b', false],
    ['any', 'gt', 10, '11', true],
    ['any', 'gt', 10, 'eleven', 'coercion'],
    ['any', 'prefix', 'TEMP', 'TEMP-1', true],
  ];
  it.each(cases)('%s %s %j on %j → %s', (type, op, value, field, want) => {
    const c = { field_path: '$.f', operator: op, value, field_type: type };
    const e = evaluateRule(one(c), { f: field });
    if (want === 'coercion') {
      expect(e.groups[0]!.conditions[0]).toMatchObject({ holds: false, why: 'coercion_failed' });
      expect(matches(one({ ...c, on_coercion_fail: 'match' }), { f: field })).toBe(true);
    } else expect(e.matched).toBe(want);
  });

  it.each<[string, JsonValue, JsonValue, boolean | 'coercion']>([
    ['text', ['100', '200'], 100, true],
    ['numeric', [18, 25, 65], '25', true],
    ['numeric', [18, 25, 65], 'invalid', 'coercion'],
    ['text', ['active', 'pending'], 'done', false],
  ])('in (%s) %j on %j → %s', (type, values, field, want) => {
    const e = evaluateRule(one({ field_path: '$.f', operator: 'in', value: values, field_type: type }), { f: field });
    if (want === 'coercion') expect(e.groups[0]!.conditions[0]!.why).toBe('coercion_failed');
    else expect(e.matched).toBe(want);
  });

  it('exists: present and not null; is_null: present and null; absent goes to the missing policy', () => {
    const ex = (p: Cond) => one({ field_path: '$.f', operator: 'exists', ...p });
    const isNull = (p: Cond) => one({ field_path: '$.f', operator: 'is_null', ...p });
    expect(matches(ex({}), { f: 0 })).toBe(true);
    expect(matches(ex({}), { f: null })).toBe(false);
    expect(matches(ex({}), {})).toBe(false);
    expect(matches(ex({ on_missing_field: 'match' }), {})).toBe(true);
    expect(matches(isNull({}), { f: null })).toBe(true);
    expect(matches(isNull({}), { f: 1 })).toBe(false);
    expect(matches(isNull({}), {})).toBe(false);
    expect(matches(isNull({ on_missing_field: 'match' }), {})).toBe(true);
  });
});

describe('field_ref: another field of the same payload', () => {
  const c = (extra: Cond = {}) => one({ field_path: '$.reading', operator: 'gt', field_ref: '$.limit', field_type: 'numeric', ...extra });
  it.each<[string, Cond, JsonValue, boolean]>([
    ['above', {}, { reading: 105, limit: 100 }, true],
    ['below', {}, { reading: 95, limit: 100 }, false],
    ['both coerced', {}, { reading: 105, limit: '100' }, true],
    ['ref missing, skip', {}, { reading: 105 }, false],
    ['ref missing, match', { on_missing_field: 'match' }, { reading: 105 }, true],
    ['ref null', {}, { reading: 105, limit: null }, false],
    ['ref fails to coerce', { on_coercion_fail: 'match' }, { reading: 105, limit: 'high' }, true],
  ])('%s', (_, extra, payload, want) => expect(matches(c(extra), payload)).toBe(want));

  it('refuses a wildcard in field_ref', () => {
    expect(() => c({ field_ref: '$.limits[*]' })).toThrow(/field_ref .* has a wildcard/);
  });
});

describe('rule shapes', () => {
  const payload = { devices: [{ temperature: 85 }, { temperature: 95 }] };
  it('reads upstream JSON (any/all, path arrays) and proto (or_groups, segments, enum names) alike', () => {
    const json = compileRule({ any: [{ all: [{ field: ['devices', '*', 'temperature'], op: 'gt', value: 90, field_type: 'numeric' }] }] });
    const proto = compileRule({
      or_groups: [{ conditions: [{
        field_path: { segments: [{ field_name: 'devices' }, { wildcard: {} }, { field_name: 'temperature' }] },
        op: 'OPERATOR_GT', value: { numeric_value: 90 }, field_type: 'FIELD_TYPE_NUMERIC', on_missing_field: 'ON_MISSING_FIELD_SKIP',
      }] }],
      sample_rate: 0.5,
    });
    expect(evaluateRule(json, payload)).toMatchObject({ matched: true, matchedField: '$.devices[1].temperature', matchedValue: 95 });
    expect(evaluateRule(proto, payload)).toMatchObject({ matched: true, matchedField: '$.devices[1].temperature' });
    expect(proto.sampleRate).toBe(0.5);
  });

  it.each<[string, JsonValue, RegExp]>([
    ['no conditions', { name: 'x' }, /no conditions/],
    ['unknown operator', { conditions: [{ field_path: '$.a', operator: 'regex', value: 'x' }] }, /unknown operator "regex"/],
    ['unknown type', { conditions: [{ field_path: '$.a', operator: 'eq', value: 1, field_type: 'date' }] }, /unknown field type "date"/],
    ['missing value', { conditions: [{ field_path: '$.a', operator: 'eq' }] }, /"eq" has no value/],
    ['bad path', { conditions: [{ field_path: '$.a[x', operator: 'eq', value: 1 }] }, /field path/],
  ])('says what is unreadable: %s', (_, snap, why) => {
    expect(() => compileRule(snap)).toThrow(why);
    expect(() => compileRule(snap)).toThrow(Error);
  });

  it('is a RuleShapeError or FieldPathError, never a crash, for any JSON', () => {
    for (const v of [null, 1, 'x', [], { conditions: 'no' }, { conditions: [null] }, { any: [{}] }]) {
      try {
        compileRule(v);
      } catch (e) {
        expect(e instanceof RuleShapeError || e instanceof FieldPathError).toBe(true);
      }
    }
  });
});

describe('the quick path (no trace) decides exactly as the traced one', () => {
  it('on thousands of generated payloads and conditions', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const leaves: JsonValue[] = [null, 0, 5, 95, -3, '95', ' 7 ', 'abc', '', true, false, 'TEMP-1', [], {}];
    const value = (depth: number): JsonValue => {
      if (depth > 2 || rand() < 0.4) return pick(leaves);
      if (rand() < 0.5) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1));
      return Object.fromEntries(['a', 'b'].filter(() => rand() < 0.7).map((k) => [k, value(depth + 1)]));
    };
    const paths = ['$.a', '$.a.b', '$.a[*]', '$.a[*].b', '$.a[0].b', '$.a[*][*]', '$.b[*].a'];
    const ops = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'prefix', 'suffix', 'contains', 'in', 'exists', 'is_null'];
    for (let n = 0; n < 3000; n++) {
      const op = pick(ops);
      const c: Cond = { field_path: pick(paths), operator: op, field_type: pick(['numeric', 'text', 'boolean', 'any']), on_missing_field: pick(['skip', 'match', 'fail']), on_coercion_fail: pick(['skip', 'match', 'fail']) };
      if (op === 'in') c.value = pick([[5, 95], ['abc', '5']]);
      else if (op !== 'exists' && op !== 'is_null') {
        if (rand() < 0.2) c.field_ref = '$.b';
        else c.value = pick([5, 90, 'TEMP', 'ab', true]);
      }
      const r = rule([c], [{ field_path: pick(paths), operator: 'exists', on_missing_field: pick(['skip', 'match']) }]);
      const payload = { a: value(0), b: value(1) };
      const full = evaluateRule(r, payload, true);
      const quick = evaluateRule(r, payload, false);
      expect([quick.matched, quick.group], JSON.stringify({ c, payload })).toEqual([full.matched, full.group]);
      if (full.matched) expect(quick.matchedField).toBe(full.matchedField);
    }
  });
});
