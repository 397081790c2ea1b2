// SyncRules without its transport (PRODUCT §4 "gRPC"): the ACTIVE rules for a
// sensor's tags, as proto `Rule` objects (proto-loader's plain form), and the
// ETag: hex SHA-256 over the served rules' sorted ids and creation times.
import { createHash } from 'node:crypto';
import { Instant } from '../domain/instant.js';
import { ruleMatchesTags, type PathPart, type RuleCondition, type RuleDefinition } from '../domain/rule.js';
import type { JsonValue } from '../domain/json.js';

export interface RuleSync {
  rules: object[];
  etag: string;
}

function protoPath(parts: PathPart[]): object {
  return {
    segments: parts.map((p) => (typeof p === 'number' ? { array_index: p } : p === '*' ? { wildcard: {} } : { field_name: p })),
  };
}

function protoValue(c: RuleCondition): object | undefined {
  if (c.values) {
    return typeof c.values[0] === 'number' ? { numeric_array: { values: c.values } } : { string_array: { values: c.values } };
  }
  const v: JsonValue | undefined = c.value;
  if (v === undefined) return undefined;
  if (v === null) return { null_value: 'NULL_VALUE_UNSPECIFIED' };
  if (typeof v === 'number') return { numeric_value: v };
  if (typeof v === 'boolean') return { boolean_value: v };
  return { string_value: String(v) };
}

export function toProtoRule(r: RuleDefinition): object {
  return {
    rule_id: r.rule_id,
    name: r.name,
    state: `RULE_STATE_${r.state.toUpperCase()}`,
    action: `ACTION_${r.action.toUpperCase()}`,
    or_groups: r.any.map((g, i) => ({
      group_index: i,
      conditions: g.all.map((c) => ({
        field_path: protoPath(c.field),
        op: `OPERATOR_${c.op.toUpperCase()}`,
        value: protoValue(c),
        field_type: `FIELD_TYPE_${c.field_type.toUpperCase()}`,
        on_missing_field: `ON_MISSING_FIELD_${c.on_missing_field.toUpperCase()}`,
        on_coercion_fail: `ON_COERCION_FAIL_${c.on_coercion_fail.toUpperCase()}`,
        ...(c.field_ref ? { field_ref: protoPath(c.field_ref) } : {}),
      })),
    })),
    sample_rate: r.sample_rate,
    scope_tags: r.tags.map((t) => {
      const eq = t.indexOf('=');
      return eq === -1 ? { key: t, value: '' } : { key: t.slice(0, eq), value: t.slice(eq + 1) };
    }),
    created_at: Instant.parse(r.created_at).toProtobuf(),
  };
}

export function etagOf(rules: RuleDefinition[]): string {
  const h = createHash('sha256');
  for (const r of [...rules].sort((a, b) => (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0))) {
    h.update(`${r.rule_id}\n${r.created_at}\n`);
  }
  return h.digest('hex');
}

/** What SyncRules answers: no rules, same ETag, when the sensor already has this set. */
export function syncRules(all: RuleDefinition[], requestTags: string[], ifNoneMatch: string | undefined): RuleSync {
  const served = all.filter((r) => r.state === 'active' && ruleMatchesTags(r.tags, requestTags));
  const etag = etagOf(served);
  return { rules: ifNoneMatch === etag ? [] : served.map(toProtoRule), etag };
}
