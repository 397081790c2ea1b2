// Re-verification of a stored match (issue 6): does the rule snapshot the
// event carries really match its payload, do the recorded matched field and
// value point at a place where it holds, and is the record snapshot the
// payload's own data? The audit trail keeps evidence; this checks it.
import type { EventLine } from '../domain/event-shape.js';
import type { JsonValue } from '../domain/json.js';
import { compileRule, type CompiledRule } from './compiled-rule.js';
import { evaluateRule, satisfyingPlaces } from './evaluate.js';
import type { RuleCheck, Verification } from '../domain/report-shapes.js';
import { parseFieldPath, resolvePath } from './field-path.js';

export type { RuleCheck, Verdict, Verification } from '../domain/report-shapes.js';

const same = (a: JsonValue | undefined, b: JsonValue | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** Places in the record snapshot whose value is not the payload's (arrays: elements found anywhere in the payload's array). */
export function recordSnapshotMismatches(snapshot: JsonValue, payload: JsonValue, path = '$'): string[] {
  if (snapshot === null || typeof snapshot !== 'object') return same(snapshot, payload) ? [] : [path];
  if (Array.isArray(snapshot)) {
    if (!Array.isArray(payload)) return [path];
    if (snapshot.length === payload.length) return snapshot.flatMap((v, i) => recordSnapshotMismatches(v, payload[i]!, `${path}[${i}]`));
    // Only the matched elements were kept: each must be one of the payload's elements (or a part of one).
    return snapshot.flatMap((v, i) =>
      payload.some((p) => recordSnapshotMismatches(v, p, '').length === 0) ? [] : [`${path}[${i}]`],
    );
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return [path];
  return Object.entries(snapshot).flatMap(([k, v]) =>
    Object.prototype.hasOwnProperty.call(payload, k) ? recordSnapshotMismatches(v, payload[k]!, `${path}.${k}`) : [`${path}.${k}`],
  );
}

/** null when the event carries no rule snapshot (nothing to verify). */
export function verifyEvent(event: Pick<EventLine, 'payload' | 'rule_snapshot' | 'rule_snapshots' | 'record_snapshot' | 'matched_field' | 'matched_value' | 'matched_rules'>): Verification | null {
  const snapshots = event.rule_snapshots ?? (event.rule_snapshot ? [event.rule_snapshot] : []);
  if (snapshots.length === 0) return null;
  const reasons: string[] = [];
  let disagrees = false;
  let unverifiable = false;
  let firstCompiled: CompiledRule | undefined;
  const rules: RuleCheck[] = snapshots.map((snap, i) => {
    const label = typeof snap.name === 'string' && snap.name ? `"${snap.name}"` : `rule ${i + 1}`;
    let compiled;
    try {
      compiled = compileRule(snap);
    } catch (e) {
      unverifiable = true;
      reasons.push(`${label} cannot be evaluated: ${(e as Error).message}`);
      return { ruleId: typeof snap.rule_id === 'string' ? snap.rule_id : '', name: typeof snap.name === 'string' ? snap.name : '', sampleRate: 1, problem: (e as Error).message };
    }
    if (i === 0) firstCompiled = compiled;
    const evaluation = evaluateRule(compiled, event.payload);
    if (!evaluation.matched) {
      disagrees = true;
      reasons.push(
        compiled.sampleRate === 0
          ? `${label} has sample_rate 0 (never runs) and does not match the payload`
          : `${label} does not match the payload`,
      );
    }
    return { ruleId: compiled.ruleId, name: compiled.name, sampleRate: compiled.sampleRate, evaluation };
  });

  // The recorded matched field and value belong to the first rule.
  const first = rules[0]!;
  if (first.evaluation?.matched && typeof event.matched_field === 'string') {
    let at: string | undefined;
    try {
      const segs = parseFieldPath(event.matched_field);
      const found = resolvePath(event.payload, segs)[0];
      if (!found || found.value === undefined || segs.includes(null)) {
        disagrees = true;
        reasons.push(`matched_field ${event.matched_field} is not a field of the payload`);
      } else {
        at = event.matched_field;
        if (event.matched_value !== undefined && !same(found.value, event.matched_value)) {
          disagrees = true;
          reasons.push(`matched_value ${JSON.stringify(event.matched_value)} is not the payload's value at ${at} (${JSON.stringify(found.value)})`);
        }
        const places = satisfyingPlaces(firstCompiled!, event.payload);
        const canon = (t: string) => JSON.stringify(parseFieldPath(t));
        if (!places.some((p) => canon(p.at) === canon(at!))) {
          disagrees = true;
          const fix = first.evaluation.matchedField ? ` (it holds at ${first.evaluation.matchedField})` : '';
          reasons.push(`the rule's conditions do not hold at matched_field ${at}${fix}`);
        }
      }
    } catch (e) {
      unverifiable = true;
      reasons.push(`matched_field ${JSON.stringify(event.matched_field)} cannot be read: ${(e as Error).message}`);
    }
  }

  let recordSnapshotConsistent: boolean | null = null;
  if (event.record_snapshot !== undefined && event.record_snapshot !== null) {
    const bad = recordSnapshotMismatches(event.record_snapshot, event.payload);
    recordSnapshotConsistent = bad.length === 0;
    if (bad.length) {
      disagrees = true;
      reasons.push(`the record snapshot differs from the payload at ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}`);
    }
  }

  return {
    verdict: disagrees ? 'disagrees' : unverifiable ? 'not_verifiable' : 'agrees',
    reasons,
    sampled: rules.some((r) => r.sampleRate < 1),
    rules,
    recordSnapshotConsistent,
  };
}
