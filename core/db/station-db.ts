// station.db (PRODUCT §3): what cannot be rebuilt from the files — the
// tenant, the rule store, the API keys and their HMAC secret.
import { openDatabase, type SqliteDatabase } from './sqlite.js';
import { canonicalRuleJson, type RuleDefinition } from '../domain/rule.js';
import type { HmacSecret, StoredKey } from '../domain/api-key.js';

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

  /** The station's HMAC secret for new keys, made on first use. */
  hmacSecret(make: () => HmacSecret, now: string): HmacSecret {
    const row = this.db.prepare('SELECT secret_id, secret FROM hmac_secrets ORDER BY created_at DESC LIMIT 1').get() as
      | { secret_id: string; secret: Buffer }
      | undefined;
    if (row) return { secretId: row.secret_id, secret: row.secret };
    const s = make();
    this.db.prepare('INSERT INTO hmac_secrets (secret_id, secret, created_at) VALUES (?, ?, ?)').run(s.secretId, s.secret, now);
    return s;
  }

  hmacSecrets(): Map<string, Buffer> {
    const rows = this.db.prepare('SELECT secret_id, secret FROM hmac_secrets').all() as Array<{ secret_id: string; secret: Buffer }>;
    return new Map(rows.map((r) => [r.secret_id, r.secret]));
  }

  addApiKey(k: { apiKeyId: string; tenantId: string; name: string; secretId: string; keyHash: Buffer; createdAt: string }): void {
    this.db
      .prepare('INSERT INTO api_keys (api_key_id, tenant_id, name, secret_id, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(k.apiKeyId, k.tenantId, k.name, k.secretId, k.keyHash, k.createdAt);
  }

  apiKeys(): Array<{ api_key_id: string; name: string; created_at: string; revoked_at: string | null }> {
    return this.db.prepare('SELECT api_key_id, name, created_at, revoked_at FROM api_keys ORDER BY created_at').all() as Array<{
      api_key_id: string;
      name: string;
      created_at: string;
      revoked_at: string | null;
    }>;
  }

  storedKeys(): StoredKey[] {
    return (this.db.prepare('SELECT api_key_id, secret_id, key_hash, revoked_at FROM api_keys').all() as Array<{
      api_key_id: string;
      secret_id: string;
      key_hash: Buffer;
      revoked_at: string | null;
    }>).map((r) => ({ apiKeyId: r.api_key_id, secretId: r.secret_id, keyHash: r.key_hash, revoked: r.revoked_at !== null }));
  }

  /** Marks a key revoked; false when there is no such key. */
  revokeApiKey(apiKeyId: string, now: string): boolean {
    const known = this.db.prepare('SELECT 1 FROM api_keys WHERE api_key_id = ?').get(apiKeyId);
    if (!known) return false;
    this.db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE api_key_id = ?').run(now, apiKeyId);
    return true;
  }

  close(): void {
    this.db.close();
  }
}
