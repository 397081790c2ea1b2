// Rule snapshots in the shapes that occur, read into one form the evaluator
// runs: the stored seed shape (`conditions[]` with `or_group`, `field_path`
// text, `operator` word), upstream's JSON shape (`any[].all[]` with path
// arrays, `op`) and upstream's proto shape (`or_groups[].conditions[]` with
// path segments, enum names). What cannot be read is a reason, not a crash:
// such a snapshot is "not verifiable".
import { isJsonObject, type JsonObject, type JsonValue } from '../domain/json.js';
import { fieldPathOfArray, fieldPathText, parseFieldPath, type Segment } from './field-path.js';
import type { Policy } from '../domain/report-shapes.js';

export const OPERATORS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'prefix', 'suffix', 'contains', 'in', 'exists', 'is_null'] as const;
export type Operator = (typeof OPERATORS)[number];
export const FIELD_TYPES = ['numeric', 'text', 'boolean', 'any'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export type { Policy } from '../domain/report-shapes.js';

export interface CompiledCondition {
  /** Position in its OR group as written. */
  index: number;
  path: Segment[];
  /** The path has a wildcard. */
  wild: boolean;
  pathText: string;
  op: Operator;
  type: FieldType;
  /** The comparison value (an array for `in`); undefined for exists / is_null / field_ref. */
  value?: JsonValue;
  ref?: Segment[];
  onMissing: Policy;
  onCoercionFail: Policy;
}

export interface CompiledRule {
  ruleId: string;
  name: string;
  action: string;
  /** 1 when absent (upstream's documented default). */
  sampleRate: number;
  groups: CompiledCondition[][];
}

export class RuleShapeError extends Error {
  override name = 'RuleShapeError';
}

const SYMBOLS: Record<string, Operator> = { '=': 'eq', '==': 'eq', '!=': 'neq', '<>': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' };
const ALIASES: Record<string, Operator> = { ne: 'neq', ge: 'gte', le: 'lte', equals: 'eq', not_equals: 'neq' };

function word(v: unknown, prefix: string): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const w = v.toLowerCase();
  return w.startsWith(prefix) ? w.slice(prefix.length) : w;
}

export function operatorOf(v: unknown): Operator {
  const w = typeof v === 'string' ? (SYMBOLS[v] ?? ALIASES[word(v, 'operator_')!] ?? word(v, 'operator_')) : undefined;
  if (!w || !(OPERATORS as readonly string[]).includes(w)) throw new RuleShapeError(`unknown operator ${JSON.stringify(v)}`);
  return w as Operator;
}

function typeOf(v: unknown): FieldType {
  if (v === undefined || v === null) return 'any';
  const w = word(v, 'field_type_');
  if (w === 'unspecified') return 'any';
  // Older upstream names.
  if (w === 'int' || w === 'float' || w === 'integer' || w === 'number') return 'numeric';
  if (w === 'string') return 'text';
  if (w === 'bool') return 'boolean';
  if (!w || !(FIELD_TYPES as readonly string[]).includes(w)) throw new RuleShapeError(`unknown field type ${JSON.stringify(v)}`);
  return w as FieldType;
}

function policyOf(v: unknown, prefix: string, fallback: Policy): Policy {
  if (v === undefined || v === null) return fallback;
  const w = word(v, prefix);
  if (w === 'unspecified') return fallback;
  if (w === 'skip' || w === 'match' || w === 'fail') return w;
  throw new RuleShapeError(`unknown policy ${JSON.stringify(v)}`);
}

function pathOf(v: unknown, what: string): Segment[] {
  if (typeof v === 'string') return parseFieldPath(v);
  if (Array.isArray(v)) return fieldPathOfArray(v);
  if (isJsonObject(v) && Array.isArray(v.segments)) {
    // Proto FieldPath: segments of field_name / array_index / wildcard.
    return v.segments.map((s) => {
      if (!isJsonObject(s)) throw new RuleShapeError(`${what}: a path segment must be an object`);
      if (typeof s.field_name === 'string') return s.field_name;
      if (typeof s.array_index === 'number') return s.array_index;
      if (s.wildcard !== undefined || s.segment_type === 'wildcard') return null;
      throw new RuleShapeError(`${what}: unreadable path segment ${JSON.stringify(s)}`);
    });
  }
  throw new RuleShapeError(`${what} is not a field path: ${JSON.stringify(v)}`);
}

/** A proto ConditionValue ({string_value: …}, {numeric_array: {values}}) or a plain JSON value. */
function valueOf(v: unknown): JsonValue | undefined {
  if (isJsonObject(v)) {
    for (const k of ['string_value', 'numeric_value', 'boolean_value'] as const) if (k in v) return v[k];
    for (const k of ['string_array', 'numeric_array'] as const) {
      const a = v[k];
      if (isJsonObject(a) && Array.isArray(a.values)) return a.values;
    }
    if ('null_value' in v) return null;
    throw new RuleShapeError(`unreadable condition value ${JSON.stringify(v)}`);
  }
  return v as JsonValue | undefined;
}

function condition(c: JsonObject, index: number, defaultMissing: Policy, where: string): CompiledCondition {
  const op = operatorOf(c.operator ?? c.op);
  const path = pathOf(c.field_path ?? c.field, `${where} field`);
  const out: CompiledCondition = {
    index,
    path,
    wild: path.includes(null),
    pathText: fieldPathText(path),
    op,
    type: typeOf(c.field_type),
    onMissing: policyOf(c.on_missing_field, 'on_missing_field_', defaultMissing),
    onCoercionFail: policyOf(c.on_coercion_fail, 'on_coercion_fail_', 'skip'),
  };
  const ref = c.field_ref;
  if (ref !== undefined && ref !== null && !(isJsonObject(ref) && Array.isArray(ref.segments) && ref.segments.length === 0)) {
    out.ref = pathOf(ref, `${where} field_ref`);
    if (out.ref.includes(null)) throw new RuleShapeError(`${where}: field_ref ${fieldPathText(out.ref)} has a wildcard`);
  } else if (op === 'in') {
    const values = valueOf(c.values ?? c.value);
    if (!Array.isArray(values) || values.length === 0) throw new RuleShapeError(`${where}: "in" needs a list of values`);
    out.value = values;
  } else if (op !== 'exists' && op !== 'is_null') {
    const v = valueOf(c.value);
    if (v === undefined) throw new RuleShapeError(`${where}: "${op}" has no value`);
    out.value = v;
  }
  return out;
}

/** Reads a rule snapshot in any of the shapes above, or throws RuleShapeError naming what is unreadable. */
export function compileRule(snapshot: unknown): CompiledRule {
  if (!isJsonObject(snapshot)) throw new RuleShapeError('the rule snapshot is not an object');
  const s = snapshot;
  const defaultMissing = policyOf(s.on_missing_field, 'on_missing_field_', 'skip');
  let groups: CompiledCondition[][];
  if (Array.isArray(s.conditions)) {
    const byGroup = new Map<number, CompiledCondition[]>();
    s.conditions.forEach((c, i) => {
      if (!isJsonObject(c)) throw new RuleShapeError(`condition ${i + 1} is not an object`);
      const g = typeof c.or_group === 'number' ? c.or_group : 0;
      const list = byGroup.get(g) ?? [];
      list.push(condition(c, list.length, defaultMissing, `condition ${i + 1}`));
      byGroup.set(g, list);
    });
    groups = [...byGroup.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
  } else if (Array.isArray(s.any)) {
    groups = s.any.map((g, gi) => {
      if (!isJsonObject(g) || !Array.isArray(g.all)) throw new RuleShapeError(`group ${gi + 1} has no "all" list`);
      return g.all.map((c, ci) => {
        if (!isJsonObject(c)) throw new RuleShapeError(`group ${gi + 1} condition ${ci + 1} is not an object`);
        return condition(c, ci, defaultMissing, `group ${gi + 1} condition ${ci + 1}`);
      });
    });
  } else if (Array.isArray(s.or_groups)) {
    groups = s.or_groups.map((g, gi) => {
      if (!isJsonObject(g) || !Array.isArray(g.conditions)) throw new RuleShapeError(`group ${gi + 1} has no conditions`);
      return g.conditions.map((c, ci) => {
        if (!isJsonObject(c)) throw new RuleShapeError(`group ${gi + 1} condition ${ci + 1} is not an object`);
        return condition(c, ci, defaultMissing, `group ${gi + 1} condition ${ci + 1}`);
      });
    });
  } else {
    throw new RuleShapeError('the rule snapshot has no conditions (neither conditions, any nor or_groups)');
  }
  if (groups.length === 0 || groups.some((g) => g.length === 0)) throw new RuleShapeError('the rule has an empty condition group');
  const rate = s.sample_rate;
  return {
    ruleId: typeof s.rule_id === 'string' ? s.rule_id : '',
    name: typeof s.name === 'string' ? s.name : '',
    action: word(s.action, 'action_') ?? '',
    sampleRate: typeof rate === 'number' ? rate : 1,
    groups,
  };
}
