// station.db (PRODUCT §3): what cannot be rebuilt from the files — the
// tenant and the rule store (API keys and their secret join it later).
import { openDatabase, type SqliteDatabase } from './sqlite.js';
import { canonicalRuleJson, type RuleDefinition } from '../domain/rule.js';

export type RuleImportOutcome = 'added' | 'unchanged' | 'refused';

export class StationDb {
  private constructor(readonly db: SqliteDatabase) {}

  static open(path: string, opts: { readonly?: boolean } = {}): StationDb {
    return new StationDb(openDatabase(path, 'station', opts));
  }

  /** The station's tenant, made on first start. */
  ensureTenant(makeId: () => string, now: string): string {
    const row = this.db.prepare('SELECT tenant_id FROM tenant LIMIT 1').get() as { tenant_id: string } | undefined;
    if (row) return row.tenant_id;
    const id = makeId();
    this.db.prepare('INSERT INTO tenant (tenant_id, created_at) VALUES (?, ?)').run(id, now);
    return id;
  }

  tenant(): string | null {
    const row = this.db.prepare('SELECT tenant_id FROM tenant LIMIT 1').get() as { tenant_id: string } | undefined;
    return row?.tenant_id ?? null;
  }

  /**
   * Adds rules in one transaction. A known rule_id with the same definition is
   * unchanged; with another definition it is refused (rules are immutable).
   */
  importRules(rules: RuleDefinition[], tenantId: string, now: string): RuleImportOutcome[] {
    const find = this.db.prepare('SELECT definition, created_at FROM rules WHERE rule_id = ?');
    const insert = this.db.prepare(
      'INSERT INTO rules (rule_id, tenant_id, name, state, created_at, definition, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    return this.db.transaction(() =>
      rules.map((incoming): RuleImportOutcome => {
        const known = find.get(incoming.rule_id) as { definition: string; created_at: string } | undefined;
        const r = incoming.created_at ? incoming : { ...incoming, created_at: known?.created_at ?? now };
        const definition = canonicalRuleJson(r);
        if (known) return known.definition === definition ? 'unchanged' : 'refused';
        insert.run(r.rule_id, tenantId, r.name, r.state, r.created_at, definition, now);
        return 'added';
      }),
    )();
  }

  rules(): RuleDefinition[] {
    return (this.db.prepare('SELECT definition FROM rules ORDER BY created_at, rule_id').all() as Array<{ definition: string }>).map(
      (r) => JSON.parse(r.definition) as RuleDefinition,
    );
  }

  close(): void {
    this.db.close();
  }
}
