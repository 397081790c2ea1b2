// Rules in upstream's JSON shape (TrapperKeeper doc/04-rule-engine): a
// disjunction (`any`) of conjunctions (`all`) of conditions on field paths.
// Rules are immutable: a rule_id names one definition forever.
import { Instant } from './instant.js';
import { uuid7Problem } from './identifier.js';
import { describeJsonType, isJsonObject, type JsonObject, type JsonValue } from './json.js';

export const RULE_ACTIONS = ['observe', 'drop', 'fail'] as const;
export const RULE_STATES = ['draft', 'active', 'disabled'] as const;
export const OPERATORS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'prefix', 'suffix', 'contains', 'in', 'exists', 'is_null'] as const;
export const FIELD_TYPES = ['numeric', 'text', 'boolean', 'any'] as const;
export const ON_FAILURE = ['skip', 'match', 'fail'] as const;
const MAX_IN_VALUES = 64;

export type PathPart = string | number;

export interface RuleCondition {
  field: PathPart[];
  field_type: (typeof FIELD_TYPES)[number];
  op: (typeof OPERATORS)[number];
  value?: JsonValue;
  values?: JsonValue[];
  field_ref?: PathPart[];
  on_missing_field: (typeof ON_FAILURE)[number];
  on_coercion_fail: (typeof ON_FAILURE)[number];
}

export interface RuleDefinition {
  rule_id: string;
  name: string;
  description?: string;
  state: (typeof RULE_STATES)[number];
  action: (typeof RULE_ACTIONS)[number];
  sample_rate: number;
  /** `key=value` or `key`; none: the rule is for every sensor. */
  tags: string[];
  any: Array<{ all: RuleCondition[] }>;
  /** Nine-digit RFC 3339; '' when the imported rule named none. */
  created_at: string;
}

export class RuleError extends Error {
  override name = 'RuleError';
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], where: string, fallback?: T): T {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v.toLowerCase())) {
    throw new RuleError(`${where} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v.toLowerCase() as T;
}

function path(v: unknown, where: string, wildcards: boolean): PathPart[] {
  if (!Array.isArray(v) || v.length === 0) throw new RuleError(`${where} must be a non-empty array of names and indexes`);
  return v.map((p, i) => {
    if (typeof p === 'number' && Number.isInteger(p) && p >= 0) return p;
    if (typeof p === 'string' && p !== '') {
      if (p === '*' && !wildcards) throw new RuleError(`${where}[${i}]: wildcards are not allowed here`);
      return p;
    }
    throw new RuleError(`${where}[${i}] must be a field name, an index ≥ 0 or "*", got ${JSON.stringify(p)}`);
  });
}

function condition(v: unknown, where: string): RuleCondition {
  if (!isJsonObject(v)) throw new RuleError(`${where} must be an object, got ${describeJsonType(v)}`);
  const op = oneOf(v.op, OPERATORS, `${where}.op`);
  const c: RuleCondition = {
    field: path(v.field, `${where}.field`, true),
    field_type: oneOf(v.field_type, FIELD_TYPES, `${where}.field_type`, 'any'),
    op,
    on_missing_field: oneOf(v.on_missing_field, ON_FAILURE, `${where}.on_missing_field`, 'skip'),
    on_coercion_fail: oneOf(v.on_coercion_fail, ON_FAILURE, `${where}.on_coercion_fail`, 'skip'),
  };
  if (op === 'in') {
    if (!Array.isArray(v.values) || v.values.length < 1 || v.values.length > MAX_IN_VALUES) {
      throw new RuleError(`${where}.values must hold 1 to ${MAX_IN_VALUES} values for "in"`);
    }
    const kinds = new Set(v.values.map((x) => typeof x));
    if (kinds.size !== 1 || !(kinds.has('string') || kinds.has('number'))) {
      throw new RuleError(`${where}.values must be all strings or all numbers`);
    }
    c.values = v.values;
  } else if (op === 'exists' || op === 'is_null') {
    if (v.value !== undefined || v.field_ref !== undefined) throw new RuleError(`${where}: "${op}" takes no value`);
  } else if (v.field_ref !== undefined) {
    if (v.value !== undefined) throw new RuleError(`${where}: value and field_ref exclude each other`);
    c.field_ref = path(v.field_ref, `${where}.field_ref`, false);
  } else {
    if (v.value === undefined || (v.value !== null && typeof v.value === 'object')) {
      throw new RuleError(`${where}.value must be a string, number, boolean or null`);
    }
    c.value = v.value;
  }
  return c;
}

/** Validates one rule in upstream's JSON shape; defaults filled, timestamps canonical. */
export function parseRule(v: unknown, where = 'rule'): RuleDefinition {
  if (!isJsonObject(v)) throw new RuleError(`${where} must be an object, got ${describeJsonType(v)}`);
  const idProblem = uuid7Problem(v.rule_id);
  if (idProblem) throw new RuleError(`${where}.rule_id ${idProblem}`);
  if (typeof v.name !== 'string' || v.name.trim() === '') throw new RuleError(`${where}.name must be a non-empty string`);
  const sample = v.sample_rate ?? 1;
  if (typeof sample !== 'number' || !(sample >= 0 && sample <= 1)) throw new RuleError(`${where}.sample_rate must be a number from 0 to 1`);
  const scope = v.scope;
  const tagsIn = isJsonObject(scope) ? scope.tags : (v.tags ?? []);
  if (!Array.isArray(tagsIn) || !tagsIn.every((t) => typeof t === 'string' && t !== '')) {
    throw new RuleError(`${where}.scope.tags must be an array of "key" or "key=value" strings`);
  }
  if (!Array.isArray(v.any) || v.any.length === 0) throw new RuleError(`${where}.any must be a non-empty array of {"all": [...]}`);
  const any = v.any.map((g, gi) => {
    if (!isJsonObject(g) || !Array.isArray(g.all) || g.all.length === 0) {
      throw new RuleError(`${where}.any[${gi}] must be {"all": [conditions…]} with at least one condition`);
    }
    return { all: g.all.map((c, ci) => condition(c, `${where}.any[${gi}].all[${ci}]`)) };
  });
  // No created_at: the store gives it the import time (or keeps the stored one on re-import).
  let created = '';
  try {
    if (v.created_at !== undefined) created = Instant.normalize(v.created_at as string);
  } catch (e) {
    throw new RuleError(`${where}.created_at: ${(e as Error).message}`);
  }
  const rule: RuleDefinition = {
    rule_id: (v.rule_id as string).toLowerCase(),
    name: v.name,
    state: oneOf(v.state, RULE_STATES, `${where}.state`, 'active'),
    action: oneOf(v.action, RULE_ACTIONS, `${where}.action`),
    sample_rate: sample,
    tags: [...(tagsIn as string[])].sort(),
    any,
    created_at: created,
  };
  if (typeof v.description === 'string') rule.description = v.description;
  return rule;
}

/** The definition's identity: the same rule always gives the same text. */
export function canonicalRuleJson(r: RuleDefinition): string {
  const ordered: JsonObject = {
    rule_id: r.rule_id,
    name: r.name,
    ...(r.description !== undefined ? { description: r.description } : {}),
    state: r.state,
    action: r.action,
    sample_rate: r.sample_rate,
    tags: r.tags,
    any: r.any as unknown as JsonValue,
    created_at: r.created_at,
  };
  return JSON.stringify(ordered);
}

/** Does a rule apply to a sensor with these request tags? (PRODUCT §4 "gRPC") */
export function ruleMatchesTags(ruleTags: string[], requestTags: string[]): boolean {
  if (ruleTags.length === 0 || requestTags.length === 0) return true;
  return ruleTags.every((t) => {
    if (t.includes('=')) return requestTags.includes(t);
    return requestTags.some((r) => r === t || r.startsWith(t + '='));
  });
}
