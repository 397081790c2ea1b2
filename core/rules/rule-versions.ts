// Rule versions (issue 6): rules are immutable upstream — an edit is a new
// rule_id — so the versions of a rule are the rule ids that share its name.
// They come from the station's rule store and from the snapshots events
// carry; a diff says what changed between two of them.
import type { JsonObject } from '../domain/json.js';
import { parseOwnLine } from '../domain/event-line.js';
import { compileRule, type CompiledCondition, type CompiledRule } from './compiled-rule.js';
import type { RuleChange, RuleVersion } from '../domain/report-shapes.js';

export type { RuleChange, RuleVersion } from '../domain/report-shapes.js';

/** Where the versions are looked up (structural: the store reader and station.db satisfy it through small adapters). */
export interface RuleSources {
  /** Rules in the station's store, in upstream's JSON shape. */
  stationRules(): JsonObject[];
  /** Matched rule ids with their event counts. */
  matchedRules(): Array<{ value: string; events: number }>;
  /** One stored line of an event that matched the rule. */
  lineOfAnyEvent(ruleId: string): string | undefined;
}


export interface RuleDiff {
  from: RuleVersion;
  to: RuleVersion;
  changes: RuleChange[];
}

export class UnknownRuleError extends Error {
  override name = 'UnknownRuleError';
}

/** The snapshot of `ruleId` in a stored event line, if it carries one. */
export function snapshotOf(line: string | undefined, ruleId: string): JsonObject | undefined {
  if (!line) return undefined;
  const parsed = parseOwnLine(line);
  if (parsed.kind !== 'event') return undefined;
  const e = parsed.event;
  return (e.rule_snapshots ?? (e.rule_snapshot ? [e.rule_snapshot] : [])).find((s) => s.rule_id === ruleId);
}

/** The definition of a rule id: the station's own, else a snapshot from an event that matched it. */
export function findRule(sources: RuleSources, ruleId: string): { definition: JsonObject; source: RuleVersion['source'] } {
  const own = sources.stationRules().find((r) => r.rule_id === ruleId);
  if (own) return { definition: own, source: 'station' };
  const snap = snapshotOf(sources.lineOfAnyEvent(ruleId), ruleId);
  if (snap) return { definition: snap, source: 'snapshot' };
  throw new UnknownRuleError(`no rule ${ruleId} in this station's rules or in any stored event's snapshot`);
}

function versionOf(definition: JsonObject, source: RuleVersion['source'], events: number): RuleVersion {
  const name = typeof definition.name === 'string' ? definition.name : '';
  const rate = definition.sample_rate;
  const action = typeof definition.action === 'string' ? definition.action.toLowerCase().replace(/^action_/, '') : '';
  return {
    ruleId: String(definition.rule_id ?? ''),
    name,
    action,
    sampleRate: typeof rate === 'number' ? rate : 1,
    createdAt: typeof definition.created_at === 'string' && definition.created_at !== '' ? definition.created_at : null,
    events,
    source,
  };
}

/** Every known rule id, grouped by name, each name's versions oldest first. */
export function ruleVersions(sources: RuleSources): Array<{ name: string; versions: RuleVersion[] }> {
  const counts = new Map(sources.matchedRules().map((r) => [r.value, r.events]));
  const versions = new Map<string, RuleVersion>();
  for (const r of sources.stationRules()) versions.set(String(r.rule_id), versionOf(r, 'station', counts.get(String(r.rule_id)) ?? 0));
  for (const [id, events] of counts) {
    if (versions.has(id)) continue;
    const snap = snapshotOf(sources.lineOfAnyEvent(id), id);
    versions.set(id, snap ? versionOf(snap, 'snapshot', events) : { ruleId: id, name: '', action: '', sampleRate: 1, createdAt: null, events, source: 'snapshot' });
  }
  const byName = new Map<string, RuleVersion[]>();
  for (const v of versions.values()) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
  return [...byName.entries()]
    .map(([name, vs]) => ({ name, versions: vs.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.ruleId.localeCompare(b.ruleId)) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function describe(c: CompiledCondition): string {
  const rhs = c.ref ? ` field ${c.ref.map((s) => (s === null ? '*' : s)).join('.')}` : c.value !== undefined ? ` ${JSON.stringify(c.value)}` : '';
  return `${c.pathText} ${c.op}${rhs} · ${c.type} · if missing: ${c.onMissing} · if not convertible: ${c.onCoercionFail}`;
}

/** What changed from one rule version to another: conditions (matched by group and field), action, sample rate, name. */
export function diffRules(fromDef: JsonObject, toDef: JsonObject, from: RuleVersion, to: RuleVersion): RuleDiff {
  const a: CompiledRule = compileRule(fromDef);
  const b: CompiledRule = compileRule(toDef);
  const changes: RuleDiff['changes'] = [];
  if (from.name !== to.name) changes.push({ kind: 'changed', what: 'name', from: from.name, to: to.name });
  if (a.action !== b.action) changes.push({ kind: 'changed', what: 'action', from: a.action, to: b.action });
  if (a.sampleRate !== b.sampleRate) changes.push({ kind: 'changed', what: 'sample rate', from: String(a.sampleRate), to: String(b.sampleRate) });
  const groups = Math.max(a.groups.length, b.groups.length);
  for (let g = 0; g < groups; g++) {
    const label = `group ${g + 1}`;
    const before = [...(a.groups[g] ?? [])];
    const after = [...(b.groups[g] ?? [])];
    for (const c of after) {
      const i = before.findIndex((x) => x.pathText === c.pathText);
      if (i < 0) {
        changes.push({ kind: 'added', what: `${label} condition`, to: describe(c) });
        continue;
      }
      const old = before.splice(i, 1)[0]!;
      if (describe(old) !== describe(c)) changes.push({ kind: 'changed', what: `${label} condition on ${c.pathText}`, from: describe(old), to: describe(c) });
    }
    for (const c of before) changes.push({ kind: 'removed', what: `${label} condition`, from: describe(c) });
  }
  return { from, to, changes };
}

/** Looks both versions up and diffs them. */
export function diffRuleIds(sources: RuleSources, fromId: string, toId: string): RuleDiff {
  const counts = new Map(sources.matchedRules().map((r) => [r.value, r.events]));
  const x = findRule(sources, fromId);
  const y = findRule(sources, toId);
  return diffRules(x.definition, y.definition, versionOf(x.definition, x.source, counts.get(fromId) ?? 0), versionOf(y.definition, y.source, counts.get(toId) ?? 0));
}
