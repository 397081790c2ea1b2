// Rule evaluation with upstream TrapperKeeper's semantics (doc/04-rule-engine):
// a rule is an OR of AND groups; a condition resolves its field (wildcards:
// ANY element, in document order), treats null as missing and hands missing
// fields to `on_missing_field`, coerces per field type (numeric strict but
// numeric strings accepted, text converts everything, boolean strict, any
// lenient) and hands coercion failures to `on_coercion_fail`.
//
// Choices where upstream's documents leave room (stated here, tested):
// - `fail` makes the condition false, as `skip` does; the DNF decides the rest.
// - `exists` holds for a present, non-null value; `is_null` for a present null.
//   An absent field goes to `on_missing_field` for both.
// - A wildcard over an empty array, or over something that is not an array,
//   is a missing field.
// - Ordering operators on `text` compare strings; on `boolean` they are a coercion failure.
import type { JsonValue } from '../domain/json.js';
import { fieldPathText, resolveOne, resolvePath, type Resolved } from './field-path.js';
import type { CompiledCondition, CompiledRule, FieldType } from './compiled-rule.js';
import type { ConditionResult, ConditionWhy, Evaluation, GroupResult, Policy } from '../domain/report-shapes.js';

export type { ConditionResult, ConditionWhy, Evaluation, GroupResult } from '../domain/report-shapes.js';

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** numeric: numbers, and strings that are numbers once trimmed; nothing else. */
function toNumber(v: JsonValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim();
    return NUMERIC.test(t) ? Number(t) : undefined;
  }
  return undefined;
}

/** text: every value has a text form. */
function toText(v: JsonValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

const FAILED = Symbol('coercion failed');
type Coerced = string | number | boolean | typeof FAILED;

function coerce(v: JsonValue, type: FieldType): Coerced {
  switch (type) {
    case 'numeric':
      return toNumber(v) ?? FAILED;
    case 'text':
      return toText(v);
    case 'boolean':
      return typeof v === 'boolean' ? v : FAILED;
    case 'any':
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : FAILED;
  }
}

/** Equality under `any`: same kinds directly, number against numeric text as numbers, booleans only with booleans. */
function anyEquals(a: string | number | boolean, b: string | number | boolean): boolean | typeof FAILED {
  if (typeof a === typeof b) return a === b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return FAILED;
  const x = toNumber(a);
  const y = toNumber(b);
  return x === undefined || y === undefined ? false : x === y;
}

function compareOrdered(a: Coerced, b: Coerced, type: FieldType): number | typeof FAILED {
  if (a === FAILED || b === FAILED) return FAILED;
  if (type === 'text') {
    const x = String(a);
    const y = String(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = typeof a === 'boolean' ? undefined : toNumber(a);
  const y = typeof b === 'boolean' ? undefined : toNumber(b);
  if (x === undefined || y === undefined) return FAILED;
  return x - y;
}

function equals(a: Coerced, b: Coerced, type: FieldType): boolean | typeof FAILED {
  if (a === FAILED || b === FAILED) return FAILED;
  return type === 'any' ? anyEquals(a, b) : a === b;
}

/** The operator on one present, non-null field value (and the comparison value or the ref's value). */
function apply(c: CompiledCondition, field: JsonValue, other: JsonValue | undefined): boolean | typeof FAILED {
  switch (c.op) {
    case 'exists':
      return true;
    case 'is_null':
      return false; // a null never reaches here: it is the missing path, see isNullHolds
    case 'eq':
    case 'neq': {
      const r = equals(coerce(field, c.type), coerce(other ?? null, c.type), c.type);
      return r === FAILED ? FAILED : c.op === 'eq' ? r : !r;
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      if (c.type === 'boolean') return FAILED;
      const d = compareOrdered(coerce(field, c.type), coerce(other ?? null, c.type), c.type);
      if (d === FAILED) return FAILED;
      return c.op === 'lt' ? d < 0 : c.op === 'lte' ? d <= 0 : c.op === 'gt' ? d > 0 : d >= 0;
    }
    case 'prefix':
    case 'suffix':
    case 'contains': {
      if (c.type === 'numeric' || c.type === 'boolean') {
        const f = coerce(field, c.type);
        if (f === FAILED) return FAILED;
      }
      const f = toText(field);
      const v = toText(other ?? '');
      return c.op === 'prefix' ? f.startsWith(v) : c.op === 'suffix' ? f.endsWith(v) : f.includes(v);
    }
    case 'in': {
      const f = coerce(field, c.type);
      if (f === FAILED) return FAILED;
      for (const v of other as JsonValue[]) {
        const r = equals(f, coerce(v, c.type), c.type);
        if (r === true) return true;
      }
      return false;
    }
  }
}

function byPolicy(policy: Policy): boolean {
  return policy === 'match';
}

/** One condition against a payload: ANY over the places its path leads to. */
export function evaluateCondition(c: CompiledCondition, payload: JsonValue): ConditionResult {
  // Most paths have no wildcard: one place, named by the path itself.
  const places: Resolved[] = c.wild
    ? resolvePath(payload, c.path)
    : [{ path: c.path as Array<string | number>, value: resolveOne(payload, c.path) }];
  let refValue: JsonValue | undefined = c.value;
  if (c.ref) {
    const r = resolvePath(payload, c.ref)[0];
    if (r === undefined || r.value === undefined || r.value === null) {
      return { index: c.index, holds: byPolicy(c.onMissing), why: 'ref_missing', policy: c.onMissing, at: fieldPathText(c.ref) };
    }
    refValue = r.value;
  }
  // The last place looked at, for a condition that does not hold (its text is made once, at the end).
  let last: { why: ConditionWhy; policy?: Policy; path: Array<string | number>; value?: JsonValue } | undefined;
  for (const p of places) {
    if (p.value === undefined || p.value === null) {
      if (c.op === 'is_null' && p.value === null) return { index: c.index, holds: true, why: 'compared', at: fieldPathText(p.path), value: null };
      if (byPolicy(c.onMissing)) return { index: c.index, holds: true, why: 'missing', policy: c.onMissing, at: fieldPathText(p.path) };
      last = { why: 'missing', policy: c.onMissing, path: p.path };
      continue;
    }
    const r = apply(c, p.value, refValue);
    if (r === FAILED) {
      if (byPolicy(c.onCoercionFail)) return { index: c.index, holds: true, why: 'coercion_failed', policy: c.onCoercionFail, at: fieldPathText(p.path), value: p.value };
      last = { why: 'coercion_failed', policy: c.onCoercionFail, path: p.path, value: p.value };
      continue;
    }
    if (r) return { index: c.index, holds: true, why: 'compared', at: fieldPathText(p.path), value: p.value };
    last = { why: 'compared', path: p.path, value: p.value };
  }
  if (last) {
    const out: ConditionResult = { index: c.index, holds: false, why: last.why, at: fieldPathText(last.path) };
    if (last.policy) out.policy = last.policy;
    if (last.value !== undefined) out.value = last.value;
    return out;
  }
  if (places.length === 0) {
    // A wildcard over an empty array: nothing to look at is a missing field.
    return { index: c.index, holds: byPolicy(c.onMissing), why: 'missing', policy: c.onMissing, at: c.pathText };
  }
  throw new Error('unreachable: a path leads somewhere or nowhere');
}

/**
 * Whether one condition holds, without building results or path texts: the
 * same decisions as evaluateCondition, for the many payloads that do not
 * match (filters, evaluation at ingest).
 */
export function conditionHolds(c: CompiledCondition, payload: JsonValue): boolean {
  let refValue: JsonValue | undefined = c.value;
  if (c.ref) {
    const r = resolveOne(payload, c.ref);
    if (r === undefined || r === null) return c.onMissing === 'match';
    refValue = r;
  }
  const at = (v: JsonValue | undefined): boolean => {
    if (v === undefined || v === null) return (c.op === 'is_null' && v === null) || c.onMissing === 'match';
    const r = apply(c, v, refValue);
    return r === FAILED ? c.onCoercionFail === 'match' : r;
  };
  const segs = c.path;
  if (!c.wild) return at(resolveOne(payload, segs));
  let places = 0;
  const walk = (v: JsonValue | undefined, i: number): boolean => {
    for (; i < segs.length; i++) {
      const s = segs[i]!;
      if (s === null) {
        if (!Array.isArray(v)) {
          places++;
          return at(undefined);
        }
        for (const e of v) if (walk(e, i + 1)) return true;
        return false;
      }
      if (v === null || typeof v !== 'object') v = undefined;
      else if (typeof s === 'number') v = Array.isArray(v) ? v[s] : undefined;
      else v = !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, s) ? (v as Record<string, JsonValue>)[s] : undefined;
      if (v === undefined || (v === null && i + 1 < segs.length)) {
        places++;
        return at(undefined);
      }
    }
    places++;
    return at(v);
  };
  // A wildcard over an empty array leaves no place to look at: a missing field.
  return walk(payload, 0) || (places === 0 && c.onMissing === 'match');
}

/**
 * The rule against a payload. `trace`: evaluate every condition of every
 * group (for the detail view); otherwise decide with conditionHolds, stop at
 * the first group that holds, and describe only that group.
 */
export function evaluateRule(rule: CompiledRule, payload: JsonValue, trace = true): Evaluation {
  const groups: GroupResult[] = [];
  let group: number | null = null;
  if (!trace) {
    const gi = rule.groups.findIndex((g) => g.every((c) => conditionHolds(c, payload)));
    if (gi < 0) return { matched: false, group: null, groups };
    groups.push({ index: gi, holds: true, conditions: rule.groups[gi]!.map((c) => evaluateCondition(c, payload)) });
    group = gi;
  }
  for (let gi = 0; trace && gi < rule.groups.length; gi++) {
    const conditions: ConditionResult[] = [];
    let holds = true;
    for (const c of rule.groups[gi]!) {
      const r = evaluateCondition(c, payload);
      conditions.push(r);
      if (!r.holds) holds = false;
    }
    groups.push({ index: gi, holds, conditions });
    if (holds && group === null) group = gi;
  }
  const out: Evaluation = { matched: group !== null, group, groups };
  if (group !== null) {
    const first = groups.find((g) => g.index === group)!.conditions.find((c) => c.why === 'compared' && c.at !== undefined);
    if (first) {
      out.matchedField = first.at!;
      if (first.value !== undefined) out.matchedValue = first.value;
    }
  }
  return out;
}

/** Every place where a condition of the rule holds by comparison (the valid matched_field values). */
export function satisfyingPlaces(rule: CompiledRule, payload: JsonValue): Array<{ at: string; value: JsonValue }> {
  const out: Array<{ at: string; value: JsonValue }> = [];
  for (const g of rule.groups) {
    for (const c of g) {
      for (const p of resolvePath(payload, c.path)) {
        if (p.value === undefined) continue;
        const one = evaluateCondition({ ...c, path: p.path, wild: false }, payload);
        if (one.holds && one.why === 'compared') out.push({ at: fieldPathText(p.path), value: p.value });
      }
    }
  }
  return out;
}
