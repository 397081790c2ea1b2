// Server-side evaluation (`tk serve --evaluate`, issue 6): events reported
// without audit fields are evaluated against the station's ACTIVE rules; on a
// match the station writes the evidence a sensor would have sent — matched
// rules, the first rule's snapshot (all of them when several matched), the
// record snapshot (only the fields the rule reads, only the array elements
// that matched, at most 100 KB) and the matched field, value and condition.
import type { EventLine, MatchedRule } from '../domain/event-shape.js';
import type { JsonObject, JsonValue } from '../domain/json.js';
import type { RuleDefinition } from '../domain/rule.js';
import { compileRule, type CompiledRule } from './compiled-rule.js';
import { evaluateCondition, evaluateRule } from './evaluate.js';
import { fieldPathOfArray, fieldPathText, resolvePath } from './field-path.js';

export const MAX_RECORD_SNAPSHOT_BYTES = 100 * 1024;

/** A station rule (upstream's JSON shape) as the stored snapshot shape (PRODUCT §3 "Rule snapshot"). */
export function snapshotOfDefinition(r: RuleDefinition): JsonObject {
  const conditions: JsonObject[] = [];
  r.any.forEach((g, gi) => {
    for (const c of g.all) {
      const cond: JsonObject = { or_group: gi, field_path: fieldPathText(fieldPathOfArray(c.field)), operator: c.op };
      if (c.op === 'in') cond.value = c.values ?? [];
      else if (c.value !== undefined) cond.value = c.value;
      cond.field_type = c.field_type;
      cond.on_missing_field = c.on_missing_field;
      cond.on_coercion_fail = c.on_coercion_fail;
      if (c.field_ref) cond.field_ref = fieldPathText(fieldPathOfArray(c.field_ref));
      conditions.push(cond);
    }
  });
  const snap: JsonObject = { rule_id: r.rule_id, name: r.name, action: r.action, conditions, sample_rate: r.sample_rate };
  if (r.created_at) snap.created_at = r.created_at;
  return snap;
}

export interface StationRule {
  snapshot: JsonObject;
  compiled: CompiledRule;
}

export function stationRules(snapshots: JsonObject[]): StationRule[] {
  return snapshots.map((snapshot) => ({ snapshot, compiled: compileRule(snapshot) }));
}

/** Whether a rule with this sample rate looks at this record (a fresh secure draw per record and rule). */
function sampled(rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32 < rate;
}

/** The payload's values at the places the rule reads: whole fields, and for wildcards the elements where the condition holds. */
export function recordSnapshot(rule: CompiledRule, payload: JsonValue): JsonValue | undefined {
  type Tree = { [k: string]: Tree | JsonValue } & { __array?: true };
  const root: Tree = {};
  let any = false;
  const put = (path: Array<string | number>, value: JsonValue) => {
    let node: Tree = root;
    path.forEach((seg, i) => {
      const key = String(seg);
      if (i === path.length - 1) {
        node[key] = value;
        return;
      }
      let next = node[key] as Tree | undefined;
      if (next === undefined || next === null || typeof next !== 'object') {
        next = typeof path[i + 1] === 'number' ? ({ __array: true } as Tree) : ({} as Tree);
        node[key] = next;
      }
      node = next;
    });
    any = true;
  };
  for (const group of rule.groups) {
    for (const c of group) {
      const wild = c.path.includes(null);
      for (const place of resolvePath(payload, c.path)) {
        if (place.value === undefined) continue;
        if (wild && !evaluateCondition({ ...c, path: place.path, wild: false }, payload).holds) continue;
        put(place.path, place.value);
      }
      if (c.ref) {
        const r = resolvePath(payload, c.ref)[0];
        if (r && r.value !== undefined) put(r.path, r.value);
      }
    }
  }
  if (!any) return undefined;
  // Arrays keep only the elements taken, in their order.
  const finish = (t: Tree | JsonValue): JsonValue => {
    if (t === null || typeof t !== 'object' || Array.isArray(t)) return t as JsonValue;
    const tree = t as Tree;
    const keys = Object.keys(tree).filter((k) => k !== '__array');
    if (tree.__array) return keys.map(Number).sort((a, b) => a - b).map((k) => finish(tree[String(k)] as Tree));
    return Object.fromEntries(keys.map((k) => [k, finish(tree[k] as Tree)]));
  };
  return finish(root);
}

/** Fills the evidence of `line` from the first matching rules; false when none matched (or none was sampled). */
export function evaluateAtStation(line: EventLine, rules: StationRule[]): boolean {
  const hits: Array<{ rule: StationRule; evaluation: ReturnType<typeof evaluateRule> }> = [];
  for (const rule of rules) {
    if (!sampled(rule.compiled.sampleRate)) continue;
    const evaluation = evaluateRule(rule.compiled, line.payload, false);
    if (evaluation.matched) hits.push({ rule, evaluation });
  }
  if (hits.length === 0) return false;
  const first = hits[0]!;
  line.matched_rules = hits.map((h): MatchedRule => (h.rule.compiled.action ? { rule_id: h.rule.compiled.ruleId, action: h.rule.compiled.action } : { rule_id: h.rule.compiled.ruleId }));
  line.rule_snapshot = first.rule.snapshot;
  if (hits.length > 1) line.rule_snapshots = hits.map((h) => h.rule.snapshot);
  const record = recordSnapshot(first.rule.compiled, line.payload);
  // Over the limit the record snapshot is left out (the payload itself is stored beside it).
  if (record !== undefined && Buffer.byteLength(JSON.stringify(record)) <= MAX_RECORD_SNAPSHOT_BYTES) line.record_snapshot = record;
  if (first.evaluation.matchedField !== undefined) line.matched_field = first.evaluation.matchedField;
  if (first.evaluation.matchedValue !== undefined) line.matched_value = first.evaluation.matchedValue;
  line.matched_condition = ['any', first.evaluation.group!, 'all'];
  return true;
}
