// A rule snapshot as readable DNF: OR groups of AND conditions, each condition
// as `$.temperature > 80 · numeric · if missing: skip`. Reads the stored seed
// shape (conditions carrying `or_group`) and upstream's (`or_groups[].conditions`).

const OPERATORS: Record<string, string> = {
  eq: '=', equals: '=', ne: '≠', neq: '≠', not_equals: '≠',
  gt: '>', greater_than: '>', gte: '≥', ge: '≥', greater_than_or_equal: '≥',
  lt: '<', less_than: '<', lte: '≤', le: '≤', less_than_or_equal: '≤',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ConditionText {
  /** `$.temperature > 80` */
  expression: string;
  /** `numeric`, `if missing: skip`, … */
  notes: string[];
}

export interface RuleText {
  groups: ConditionText[][];
  /** Rule-level facts: action, sample rate, created at, … */
  facts: Array<[string, string]>;
}

function pathText(c: Obj): string {
  if (typeof c.field_path === 'string') return c.field_path;
  const field = c.field;
  if (isObj(field) && Array.isArray(field.segments)) {
    return '$' + field.segments.map((s) => (isObj(s) ? ('index' in s ? `[${String(s.index)}]` : 'wildcard' in s ? '[*]' : `.${String(s.key ?? s.name ?? '?')}`) : `.${String(s)}`)).join('');
  }
  return '$?';
}

function valueText(v: unknown): string {
  if (isObj(v)) {
    // Upstream's typed value: { int_value: 3 } / { string_value: "x" } / …
    const entries = Object.entries(v);
    if (entries.length === 1 && /_value$/.test(entries[0]![0])) return JSON.stringify(entries[0]![1]);
  }
  return JSON.stringify(v);
}

export function conditionText(c: Obj): ConditionText {
  const op = String(c.operator ?? '?').toLowerCase().replace(/^operator_/, '');
  const symbol = OPERATORS[op] ?? op.replace(/_/g, ' ');
  const path = pathText(c);
  let expression: string;
  if (op === 'exists' || op === 'is_null' || op === 'not_exists') expression = `${path} ${symbol}`;
  else if (c.field_ref !== undefined && c.field_ref !== null) expression = `${path} ${symbol} ${typeof c.field_ref === 'string' ? c.field_ref : pathText({ field: c.field_ref })}`;
  else expression = `${path} ${symbol} ${valueText(c.value)}`;
  const notes: string[] = [];
  if (c.field_type !== undefined) notes.push(String(c.field_type).toLowerCase().replace(/^field_type_/, ''));
  if (c.on_missing_field !== undefined) notes.push(`if missing: ${String(c.on_missing_field).toLowerCase().replace(/^on_missing_field_/, '')}`);
  if (c.on_coercion_fail !== undefined) notes.push(`if not convertible: ${String(c.on_coercion_fail).toLowerCase().replace(/^on_coercion_fail_/, '')}`);
  return { expression, notes };
}

export function ruleText(snapshot: unknown): RuleText {
  const r = isObj(snapshot) ? snapshot : {};
  let groups: ConditionText[][] = [];
  if (Array.isArray(r.conditions)) {
    const byGroup = new Map<string, ConditionText[]>();
    for (const c of r.conditions) {
      if (!isObj(c)) continue;
      const g = String(c.or_group ?? 0);
      if (!byGroup.has(g)) byGroup.set(g, []);
      byGroup.get(g)!.push(conditionText(c));
    }
    // By group number, as the evaluator orders them (its trace refers to these positions).
    groups = [...byGroup.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([, g]) => g);
  } else if (Array.isArray(r.or_groups)) {
    groups = r.or_groups.map((g) => (isObj(g) && Array.isArray(g.conditions) ? g.conditions.filter(isObj).map(conditionText) : []));
  }
  const facts: Array<[string, string]> = [];
  const add = (label: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') facts.push([label, typeof v === 'string' ? v : JSON.stringify(v)]);
  };
  add('Action', typeof r.action === 'string' ? r.action.toLowerCase().replace(/^action_/, '') : r.action);
  add('Sample rate', r.sample_rate);
  add('If a field is missing', r.on_missing_field);
  add('Created at', r.created_at);
  add('Rule ID', r.rule_id);
  return { groups, facts };
}
