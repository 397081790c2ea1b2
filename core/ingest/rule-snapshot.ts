// A gRPC `Rule` (as proto-loader decodes it: enums as names, oneofs named) to
// the seed's JSON rule snapshot (PRODUCT §3 "Rule snapshot"): lower-case words
// for action and operator, `$.a.b[0].c[*]` paths, one entry per condition with
// its `or_group`. Per-condition details the seed's example leaves out are kept.
import { Instant } from '../domain/instant.js';
import type { JsonObject, JsonValue } from '../domain/json.js';

interface ProtoPath {
  segments?: Array<{ segment_type?: string; field_name?: string; array_index?: number; wildcard?: object }>;
}

interface ProtoCondition {
  field_path?: ProtoPath;
  op?: string;
  value?: {
    value_type?: string;
    string_value?: string;
    numeric_value?: number;
    boolean_value?: boolean;
    string_array?: { values?: string[] };
    numeric_array?: { values?: number[] };
  };
  field_type?: string;
  on_missing_field?: string;
  on_coercion_fail?: string;
  field_ref?: ProtoPath;
}

export interface ProtoRule {
  rule_id?: string;
  name?: string;
  state?: string;
  action?: string;
  or_groups?: Array<{ group_index?: number; conditions?: ProtoCondition[] }>;
  sample_rate?: number;
  scope_tags?: Array<{ key?: string; value?: string }>;
  created_at?: { seconds?: unknown; nanos?: unknown } | null;
}

/** `ACTION_OBSERVE` → `observe`; unset or UNSPECIFIED → undefined. */
function word(value: string | undefined, prefix: string): string | undefined {
  if (!value || value.endsWith('_UNSPECIFIED')) return undefined;
  return (value.startsWith(prefix) ? value.slice(prefix.length) : value).toLowerCase();
}

export function pathText(p: ProtoPath | undefined | null): string {
  let text = '$';
  for (const s of p?.segments ?? []) {
    if (s.segment_type === 'field_name' || (s.segment_type === undefined && s.field_name !== undefined)) text += `.${s.field_name}`;
    else if (s.segment_type === 'array_index' || (s.segment_type === undefined && s.array_index !== undefined)) text += `[${s.array_index ?? 0}]`;
    else text += '[*]';
  }
  return text;
}

function conditionValue(v: ProtoCondition['value']): JsonValue {
  switch (v?.value_type) {
    case 'string_value':
      return v.string_value ?? '';
    case 'numeric_value':
      return v.numeric_value ?? 0;
    case 'boolean_value':
      return v.boolean_value ?? false;
    case 'string_array':
      return v.string_array?.values ?? [];
    case 'numeric_array':
      return v.numeric_array?.values ?? [];
    default:
      return null;
  }
}

export function ruleToSnapshot(rule: ProtoRule): JsonObject {
  const conditions: JsonObject[] = [];
  (rule.or_groups ?? []).forEach((g, gi) => {
    for (const c of g.conditions ?? []) {
      const cond: JsonObject = {
        or_group: g.group_index ?? gi,
        field_path: pathText(c.field_path),
        operator: word(c.op, 'OPERATOR_') ?? 'unspecified',
        value: conditionValue(c.value),
      };
      const fieldType = word(c.field_type, 'FIELD_TYPE_');
      const missing = word(c.on_missing_field, 'ON_MISSING_FIELD_');
      const coercion = word(c.on_coercion_fail, 'ON_COERCION_FAIL_');
      if (fieldType) cond.field_type = fieldType;
      if (missing) cond.on_missing_field = missing;
      if (coercion) cond.on_coercion_fail = coercion;
      if (c.field_ref?.segments?.length) cond.field_ref = pathText(c.field_ref);
      conditions.push(cond);
    }
  });
  const snapshot: JsonObject = {
    rule_id: rule.rule_id ?? '',
    name: rule.name ?? '',
    action: word(rule.action, 'ACTION_') ?? 'unspecified',
    conditions,
  };
  // The seed keeps on_missing_field on the rule: the conditions' common choice, when they agree.
  const missing = new Set(conditions.map((c) => c.on_missing_field));
  if (missing.size === 1 && conditions[0]?.on_missing_field !== undefined) snapshot.on_missing_field = conditions[0].on_missing_field;
  snapshot.sample_rate = rule.sample_rate ?? 0;
  if (rule.created_at) snapshot.created_at = Instant.fromProtobuf(rule.created_at).toString();
  const state = word(rule.state, 'RULE_STATE_');
  if (state) snapshot.state = state;
  if (rule.scope_tags?.length) snapshot.scope_tags = rule.scope_tags.map((t) => ({ key: t.key ?? '', value: t.value ?? '' }));
  return snapshot;
}
