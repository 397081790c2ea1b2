// Opening SQLite files and applying numbered, forward-only migrations
// (STYLE.md "SQL you can read"). This folder is the only place that imports
// better-sqlite3.
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type SqliteDatabase = Database.Database;
export type MigrationSet = 'index' | 'station';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function migrationsOf(set: MigrationSet): Migration[] {
  const dir = fileURLToPath(new URL(`./migrations/${set}/`, import.meta.url));
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: readFileSync(dir + f, 'utf8') }));
}

/** Applies every migration newer than `PRAGMA user_version`, each in its own transaction. */
export function migrate(db: SqliteDatabase, set: MigrationSet, upTo = Infinity): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const all = migrationsOf(set);
  const latest = all.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`${db.name} is at schema version ${current}, newer than this program knows (${latest}); upgrade TrapperKeeper Desktop`);
  }
  for (const m of all) {
    if (m.version <= current || m.version > upTo) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

export interface OpenOptions {
  readonly?: boolean;
}

export function openDatabase(path: string, set: MigrationSet, opts: OpenOptions = {}): SqliteDatabase {
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // The index is rebuildable from the JSONL files, which are fsynced before an
    // event is acknowledged; station.db keeps full durability.
    db.pragma(`synchronous = ${set === 'index' ? 'NORMAL' : 'FULL'}`);
    migrate(db, set);
  }
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  return db;
}
