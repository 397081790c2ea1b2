// Payload conditions for queries (`tk query --where`, the contract's `where`):
// one condition in the rule language, written as text —
//   $.devices[*].temperature > 90      $.status == "degraded"     $.note contains stuck
//   $.tags in ["line-1","line-2"]      $.reading.flow exists      $.x is_null
// evaluated with the same semantics as rules (core/rules/evaluate.ts). The
// field type follows the value: a number compares as numeric, true/false as
// boolean, anything else as text.
import type { JsonValue } from '../domain/json.js';
import { operatorOf, type CompiledRule } from './compiled-rule.js';
import { conditionHolds } from './evaluate.js';
import { fieldPathText, parseFieldPath } from './field-path.js';

export class WhereError extends Error {
  override name = 'WhereError';
}

const FORM = /^\s*(\S+)\s+(>=|<=|==|!=|=|>|<|eq|neq|lt|lte|gt|gte|prefix|suffix|contains|in|exists|is_null)(?:\s+(.*?))?\s*$/i;

/** Parses a condition; WhereError says what is wrong with it. */
export function parseWhere(text: string): CompiledRule {
  const m = FORM.exec(text);
  if (!m) throw new WhereError(`cannot read ${JSON.stringify(text)}: write PATH OPERATOR VALUE, e.g. '$.devices[*].temperature > 90'`);
  let path;
  try {
    path = parseFieldPath(m[1]!);
  } catch (e) {
    throw new WhereError((e as Error).message);
  }
  const op = operatorOf(m[2]!.toLowerCase());
  const raw = m[3];
  if (op === 'exists' || op === 'is_null') {
    if (raw) throw new WhereError(`"${op}" takes no value`);
    return wrap({ path, op, type: 'any' });
  }
  if (raw === undefined || raw === '') throw new WhereError(`"${m[2]}" needs a value`);
  let value: JsonValue;
  try {
    value = JSON.parse(raw) as JsonValue;
  } catch {
    value = raw; // a bare word is text
  }
  if (op === 'in') {
    if (!Array.isArray(value) || value.length === 0) throw new WhereError('"in" needs a JSON list, e.g. ["a","b"]');
    return wrap({ path, op, value, type: typeof value[0] === 'number' ? 'numeric' : 'text' });
  }
  if (value !== null && typeof value === 'object') throw new WhereError(`the value must be a number, text, true, false or null`);
  const type = typeof value === 'number' ? 'numeric' : typeof value === 'boolean' ? 'boolean' : value === null ? 'any' : 'text';
  return wrap({ path, op, value, type });
}

function wrap(c: { path: ReturnType<typeof parseFieldPath>; op: ReturnType<typeof operatorOf>; value?: JsonValue; type: 'numeric' | 'text' | 'boolean' | 'any' }): CompiledRule {
  return {
    ruleId: '',
    name: 'where',
    action: '',
    sampleRate: 1,
    groups: [[{ index: 0, path: c.path, wild: c.path.includes(null), pathText: fieldPathText(c.path), op: c.op, type: c.type, ...(c.value !== undefined ? { value: c.value } : {}), onMissing: 'skip', onCoercionFail: 'skip' }]],
  };
}

export function payloadMatches(rule: CompiledRule, payload: JsonValue): boolean {
  return rule.groups.some((g) => g.every((c) => conditionHolds(c, payload)));
}
