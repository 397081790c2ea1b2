// One test per migration (STYLE.md): each applies on the previous version and
// leaves the schema the code expects.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, migrationsOf, openDatabase } from '../../../core/db/sqlite.js';
import { EventIndex } from '../../../core/db/event-index.js';
import { tempDir } from '../../helpers/station.js';

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
}

describe('index migrations', () => {
  it('are numbered from 0001 without gaps', () => {
    expect(migrationsOf('index').map((m) => m.version)).toEqual(migrationsOf('index').map((_, i) => i + 1));
    expect(migrationsOf('station').map((m) => m.version)).toEqual(migrationsOf('station').map((_, i) => i + 1));
  });

  it('0001_init creates the event index schema and records version 1', () => {
    const db = new Database(join(tempDir(), 'i.db'));
    expect(migrate(db, 'index', 1)).toBe(1);
    expect(tables(db)).toEqual(expect.arrayContaining([
      'events', 'events_by_received', 'events_by_client', 'events_by_sensor_received', 'event_rules', 'metasets', 'metaset_pairs',
      'segments', 'blocks', 'markers', 'meta_pairs', 'sensors', 'rules', 'origins', 'tenants',
    ]));
    // Timestamps are text in nine-digit form, so their order is time order.
    db.prepare("INSERT INTO events (event_id, tenant, client_ts, received_ts, segment_id, line_offset, line_length, payload_sha256, rule_count, metaset) VALUES ('a', 1, 'x', '2026-12-04T10:00:00.000000010Z', 1, 0, 1, x'00', 0, 1), ('b', 1, 'x', '2026-12-04T10:00:00.000000009Z', 1, 2, 1, x'00', 0, 1)").run();
    expect((db.prepare('SELECT event_id FROM events ORDER BY received_ts').all() as Array<{ event_id: string }>).map((r) => r.event_id)).toEqual(['b', 'a']);
    expect(() => db.prepare("INSERT INTO events (event_id, tenant, client_ts, received_ts, segment_id, line_offset, line_length, payload_sha256, rule_count, metaset) VALUES ('a', 1, 'x', 'y', 1, 0, 1, x'00', 0, 1)").run()).toThrow(/UNIQUE/);
    db.close();
  });

  it('0002_deferred_indexes keeps index definitions across a bulk load, even one cut short', () => {
    const path = join(tempDir(), 'i.db');
    const db = new Database(path);
    migrate(db, 'index', 1);
    expect(migrate(db, 'index', 2)).toBe(2);
    expect(tables(db)).toContain('deferred_indexes');
    db.close();
    // A bulk load drops the time and sensor indexes…
    let index = EventIndex.open(path);
    index.deferIndexes();
    expect(tables(index.db)).not.toContain('events_by_received');
    index.close(); // …and the process dies before restoring them.
    index = EventIndex.open(path);
    expect(tables(index.db)).toEqual(expect.arrayContaining(['events_by_received', 'events_by_client', 'events_by_sensor_received']));
    expect(index.db.prepare('SELECT count(*) AS n FROM deferred_indexes').get()).toEqual({ n: 0 });
    index.close();
  });

  it('0003_stripped_keys adds a spoof-attempt count that is unknown (NULL) for rows indexed before it', () => {
    const db = new Database(join(tempDir(), 'i.db'));
    migrate(db, 'index', 2);
    db.prepare("INSERT INTO events (event_id, tenant, client_ts, received_ts, segment_id, line_offset, line_length, payload_sha256, rule_count, metaset) VALUES ('old', 1, 'x', 'y', 1, 0, 1, x'00', 0, 1)").run();
    expect(migrate(db, 'index', 3)).toBe(3);
    expect(db.prepare("SELECT stripped FROM events WHERE event_id = 'old'").get()).toEqual({ stripped: null });
    db.prepare("INSERT INTO events (event_id, tenant, client_ts, received_ts, segment_id, line_offset, line_length, payload_sha256, rule_count, metaset, stripped) VALUES ('new', 1, 'x', 'y', 1, 2, 1, x'00', 0, 1, 2)").run();
    expect(db.prepare("SELECT count(*) AS n FROM events WHERE stripped > 0").get()).toEqual({ n: 1 });
    db.close();
  });

  it('0004_verification adds the verdict column (NULL for rows indexed before it) and an index of the suspicious', () => {
    const db = new Database(join(tempDir(), 'i.db'));
    migrate(db, 'index', 3);
    db.prepare("INSERT INTO events (event_id, tenant, client_ts, received_ts, segment_id, line_offset, line_length, payload_sha256, rule_count, metaset) VALUES ('old', 1, 'x', 'y', 1, 0, 1, x'00', 0, 1)").run();
    expect(migrate(db, 'index', 4)).toBe(4);
    expect(db.prepare("SELECT verification FROM events WHERE event_id = 'old'").get()).toEqual({ verification: null });
    expect(tables(db)).toEqual(expect.arrayContaining(['events_disagreeing', 'events_not_verifiable']));
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT event_id FROM events WHERE verification = 1 ORDER BY received_ts DESC').all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toContain('events_disagreeing');
    db.close();
  });

  it('station 0001_init creates the tenant table', () => {
    const db = new Database(join(tempDir(), 's.db'));
    expect(migrate(db, 'station', 1)).toBe(1);
    expect(tables(db)).toContain('tenant');
    db.close();
  });

  it('station 0002_rules creates the rule store, keyed by rule_id', () => {
    const db = new Database(join(tempDir(), 's.db'));
    migrate(db, 'station', 1);
    expect(migrate(db, 'station', 2)).toBe(2);
    expect(tables(db)).toContain('rules');
    const insert = db.prepare("INSERT INTO rules (rule_id, tenant_id, name, state, created_at, definition, imported_at) VALUES ('r', 't', 'n', 'active', 'c', '{}', 'i')");
    insert.run();
    expect(() => insert.run()).toThrow(/UNIQUE|PRIMARY KEY/);
    db.close();
  });

  it('station 0003_api_keys keeps keys as unique hashes beside their secrets', () => {
    const db = new Database(join(tempDir(), 's.db'));
    migrate(db, 'station', 2);
    expect(migrate(db, 'station', 3)).toBe(3);
    expect(tables(db)).toEqual(expect.arrayContaining(['hmac_secrets', 'api_keys', 'api_keys_by_secret']));
    const add = db.prepare("INSERT INTO api_keys (api_key_id, tenant_id, name, secret_id, key_hash, created_at) VALUES (?, 't', 'n', 's', x'01', 'c')");
    add.run('k1');
    expect(() => add.run('k2')).toThrow(/UNIQUE/);
    db.close();
  });

  it('re-opening applies nothing twice; a newer schema is refused with advice', () => {
    const path = join(tempDir(), 'i.db');
    openDatabase(path, 'index').close();
    const db = openDatabase(path, 'index');
    expect(db.pragma('user_version', { simple: true })).toBe(migrationsOf('index').length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(path, 'index')).toThrow(/newer than this program knows/);
  });
});
