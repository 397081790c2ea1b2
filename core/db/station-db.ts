// station.db (PRODUCT §3): tenant now; API keys, the HMAC secret and the rule
// store join it with their own migrations.
import { openDatabase, type SqliteDatabase } from './sqlite.js';

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

  close(): void {
    this.db.close();
  }
}
