// The SQLite event index (issue: station core §4). Rows point into the day
// files by (segment, uncompressed offset, length); bodies are never copied here.
import { openDatabase, type SqliteDatabase } from './sqlite.js';
import type { Statement } from 'better-sqlite3';

import { pairsOfSetKey, PER_EVENT_KEYS, SYSTEM_KEYS } from '../domain/metadata.js';
import { VERIFICATION_CODES } from '../domain/verification-code.js';
import type { CountedValue, IndexAudit, SensorAudit } from '../domain/report-shapes.js';

export type { IndexAudit, SensorAudit } from '../domain/report-shapes.js';

export interface SegmentRow {
  id: number;
  day: string;
  compressed: number;
  raw_size: number;
  file_size: number;
}

export interface BlockRow {
  raw_offset: number;
  raw_length: number;
  file_offset: number;
  file_length: number;
}

export interface EventRow {
  seq: number;
  event_id: string;
  sensor_id: string | null;
  client_ts: string;
  received_ts: string;
  segment_id: number;
  line_offset: number;
  line_length: number;
  payload_sha256: Buffer;
  rule_count: number;
  deleted: number;
  origin: string | null;
  /** VERIFICATION_CODES; null when indexed before verification existed. */
  verification: number | null;
}

/** What the store hands over for one stored event line. */
export interface IndexedEvent {
  eventId: string;
  sensorId: string | null;
  clientTs: string;
  receivedTs: string;
  segmentId: number;
  offset: number;
  length: number;
  payloadSha256: Uint8Array;
  ruleIds: string[];
  /** metadataSetKey() of its metadata. */
  metadataKey: string;
  /** How many `$` keys the client tried to write (audit.stripped_metadata). */
  stripped: number;
  /** VERIFICATION_CODES of its recorded match. */
  verification: number;
  origin: string | null;
}

export interface StoredFacts {
  event_id: string;
  payload_sha256: Buffer;
  segment_id: number;
  line_offset: number;
  line_length: number;
}

export interface IndexedMarker {
  markerId: string;
  eventId: string;
  markedAt: string;
  reason: string;
  segmentId: number;
  offset: number;
  length: number;
}

export interface SegmentProgress {
  segmentId: number;
  rawSize: number;
  fileSize: number;
  compressed?: boolean;
  blocks?: BlockRow[];
}

export type TimeField = 'received' | 'client';

export interface EventFilter {
  /** Inclusive lower bound, canonical text. */
  since?: string | undefined;
  /** Exclusive upper bound, canonical text. */
  until?: string | undefined;
  by?: TimeField | undefined;
  sensor?: string | undefined;
  rule?: string | undefined;
  meta?: Array<[string, string]> | undefined;
  /** Only events on which a client tried to write `$` keys (stripped on ingest). */
  spoofed?: boolean | undefined;
  /** Only events whose recorded match re-verified so. */
  verification?: 'agrees' | 'disagrees' | 'not_verifiable' | undefined;
  includeDeleted?: boolean | undefined;
}

export interface PageKey {
  ts: string;
  seq: number;
}

/** Indexes a bulk load may drop and rebuild: everything on `events` but its primary and unique keys. */
const DEFERRABLE_INDEXES = ['events_by_received', 'events_by_client', 'events_by_sensor_received'];

const EVENT_COLUMNS = `e.seq, e.event_id, s.sensor_id, e.client_ts, e.received_ts, e.segment_id, e.line_offset,
  e.line_length, e.payload_sha256, e.rule_count, e.deleted, o.origin, e.verification`;
const EVENT_FROM = `events e LEFT JOIN sensors s ON s.id = e.sensor LEFT JOIN origins o ON o.id = e.origin`;

export class EventIndex {
  private readonly stmt: {
    lookup: Statement;
    lookupMany: Statement;
    insertEvent: Statement;
    insertRule: Statement;
    updateSegment: Statement;
    insertBlock: Statement;
    blockFor: Statement;
    insertMarker: Statement;
    markDeleted: Statement;
    markerCount: Statement;
    markedEvent: Statement;
    insertPair: Statement;
    pairOf: Statement;
    metasetOf: Statement;
    insertMetaset: Statement;
    linkPair: Statement;
  };
  private readonly interned = {
    sensors: new Map<string, number>(),
    rules: new Map<string, number>(),
    origins: new Map<string, number>(),
    pairs: new Map<string, number>(),
    /** Raw "key\0value\0…" text of an event's indexed pairs → metaset id. */
    metasets: new Map<string, number>(),
  };
  /** Markers are rare: skip the per-event marker lookup while there are none. */
  private anyMarkers: boolean;
  private tenantRef = 0;

  private constructor(readonly db: SqliteDatabase, readonly readonly: boolean) {
    const p = (sql: string) => db.prepare(sql);
    this.anyMarkers = db.prepare('SELECT 1 FROM markers LIMIT 1').get() !== undefined;
    this.stmt = {
      lookup: p(`SELECT ${EVENT_COLUMNS} FROM ${EVENT_FROM} WHERE e.event_id = ?`),
      lookupMany: p(`SELECT event_id, payload_sha256, segment_id, line_offset, line_length FROM events
                     WHERE event_id IN (SELECT value FROM json_each(?))`),
      insertEvent: readonly
        ? p('SELECT 1')
        : p(`INSERT INTO events (event_id, tenant, sensor, client_ts, received_ts, segment_id, line_offset, line_length,
             payload_sha256, rule_count, deleted, metaset, origin, stripped, verification)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertRule: readonly ? p('SELECT 1') : p('INSERT OR IGNORE INTO event_rules (rule, seq) VALUES (?, ?)'),
      updateSegment: readonly
        ? p('SELECT 1')
        : p('UPDATE segments SET raw_size = ?, file_size = ?, compressed = coalesce(?, compressed) WHERE id = ?'),
      insertBlock: readonly
        ? p('SELECT 1')
        : p('INSERT OR REPLACE INTO blocks (segment_id, raw_offset, raw_length, file_offset, file_length) VALUES (?, ?, ?, ?, ?)'),
      blockFor: p(`SELECT raw_offset, raw_length, file_offset, file_length FROM blocks
                   WHERE segment_id = ? AND raw_offset <= ? ORDER BY raw_offset DESC LIMIT 1`),
      insertMarker: readonly
        ? p('SELECT 1')
        : p(`INSERT OR IGNORE INTO markers (marker_id, event_id, marked_at, reason, segment_id, line_offset, line_length)
             VALUES (?, ?, ?, ?, ?, ?, ?)`),
      markDeleted: readonly ? p('SELECT 1') : p('UPDATE events SET deleted = 1 WHERE event_id = ?'),
      markerCount: p('SELECT count(*) AS n FROM markers'),
      markedEvent: p('SELECT 1 FROM markers WHERE event_id = ? LIMIT 1'),
      insertPair: readonly ? p('SELECT 1') : p('INSERT OR IGNORE INTO meta_pairs (key, value) VALUES (?, ?)'),
      pairOf: p('SELECT id FROM meta_pairs WHERE key = ? AND value = ?'),
      metasetOf: p('SELECT id FROM metasets WHERE signature = ?'),
      insertMetaset: readonly ? p('SELECT 1') : p('INSERT INTO metasets (signature) VALUES (?)'),
      linkPair: readonly ? p('SELECT 1') : p('INSERT OR IGNORE INTO metaset_pairs (pair, metaset) VALUES (?, ?)'),
    };
  }

  static open(path: string, opts: { readonly?: boolean } = {}): EventIndex {
    const readonly = opts.readonly ?? false;
    const index = new EventIndex(openDatabase(path, 'index', { readonly }), readonly);
    if (!readonly) index.restoreIndexes(); // after a bulk load that did not finish
    return index;
  }

  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM events LIMIT 1').get() === undefined;
  }

  /**
   * Drops the secondary indexes of `events` for a bulk load (see migration
   * 0002); restoreIndexes() builds them again from the kept definitions.
   */
  deferIndexes(): void {
    this.db.transaction(() => {
      for (const name of DEFERRABLE_INDEXES) {
        const row = this.db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) as
          | { sql: string }
          | undefined;
        if (!row) continue;
        this.db.prepare('INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?, ?)').run(name, row.sql);
        this.db.exec(`DROP INDEX ${name}`);
      }
    })();
  }

  restoreIndexes(): void {
    const rows = this.db.prepare('SELECT name, sql FROM deferred_indexes').all() as Array<{ name: string; sql: string }>;
    for (const { name, sql } of rows) {
      this.db.transaction(() => {
        this.db.exec(sql.replace(/^CREATE INDEX /i, 'CREATE INDEX IF NOT EXISTS '));
        this.db.prepare('DELETE FROM deferred_indexes WHERE name = ?').run(name);
      })();
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  setTenant(tenantId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO tenants (tenant_id) VALUES (?)').run(tenantId);
    this.tenantRef = (this.db.prepare('SELECT id FROM tenants WHERE tenant_id = ?').get(tenantId) as { id: number }).id;
  }

  // ---- segments and blocks ----

  segments(): SegmentRow[] {
    return this.db.prepare('SELECT id, day, compressed, raw_size, file_size FROM segments ORDER BY day').all() as SegmentRow[];
  }

  segmentById(id: number): SegmentRow | undefined {
    return this.db.prepare('SELECT id, day, compressed, raw_size, file_size FROM segments WHERE id = ?').get(id) as
      | SegmentRow
      | undefined;
  }

  ensureSegment(day: string, compressed: boolean): SegmentRow {
    this.db.prepare('INSERT OR IGNORE INTO segments (day, compressed) VALUES (?, ?)').run(day, compressed ? 1 : 0);
    return this.db.prepare('SELECT id, day, compressed, raw_size, file_size FROM segments WHERE day = ?').get(day) as SegmentRow;
  }

  blockFor(segmentId: number, rawOffset: number): BlockRow | undefined {
    return this.stmt.blockFor.get(segmentId, rawOffset) as BlockRow | undefined;
  }

  /** Replaces a segment's block list and sizes, e.g. after it was compressed. */
  replaceBlocks(segmentId: number, blocks: BlockRow[], rawSize: number, fileSize: number, compressed: boolean): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM blocks WHERE segment_id = ?').run(segmentId);
      for (const b of blocks) this.stmt.insertBlock.run(segmentId, b.raw_offset, b.raw_length, b.file_offset, b.file_length);
      this.stmt.updateSegment.run(rawSize, fileSize, compressed ? 1 : 0, segmentId);
    })();
  }

  /** Forgets rows of a segment at or past `rawSize` (its file is shorter than the index thought). */
  trimSegment(segmentId: number, rawSize: number, fileSize: number): number {
    return this.db.transaction(() => {
      const doomed = 'SELECT seq FROM events WHERE segment_id = ? AND line_offset >= ?';
      this.db.prepare(`DELETE FROM event_rules WHERE seq IN (${doomed})`).run(segmentId, rawSize);
      const n = this.db.prepare('DELETE FROM events WHERE segment_id = ? AND line_offset >= ?').run(segmentId, rawSize).changes;
      this.db.prepare('DELETE FROM markers WHERE segment_id = ? AND line_offset >= ?').run(segmentId, rawSize);
      this.db.prepare('DELETE FROM blocks WHERE segment_id = ? AND raw_offset >= ?').run(segmentId, rawSize);
      this.stmt.updateSegment.run(rawSize, fileSize, null, segmentId);
      this.recomputeDeleted();
      return n;
    })();
  }

  dropSegment(segmentId: number): number {
    const n = this.trimSegment(segmentId, 0, 0);
    this.db.prepare('DELETE FROM segments WHERE id = ?').run(segmentId);
    return n;
  }

  private recomputeDeleted(): void {
    this.db.exec(`UPDATE events SET deleted = (event_id IN (SELECT event_id FROM markers))
                  WHERE deleted != (event_id IN (SELECT event_id FROM markers))`);
  }

  // ---- writes ----

  private intern(map: Map<string, number>, table: string, column: string, value: string): number {
    let id = map.get(value);
    if (id === undefined) {
      this.db.prepare(`INSERT OR IGNORE INTO ${table} (${column}) VALUES (?)`).run(value);
      id = (this.db.prepare(`SELECT id FROM ${table} WHERE ${column} = ?`).get(value) as { id: number }).id;
      map.set(value, id);
    }
    return id;
  }

  private pairId(key: string, value: string): number {
    const k = key + '\u0000' + value;
    let id = this.interned.pairs.get(k);
    if (id === undefined) {
      this.stmt.insertPair.run(key, value);
      id = (this.stmt.pairOf.get(key, value) as { id: number }).id;
      this.interned.pairs.set(k, id);
    }
    return id;
  }

  /** The id of the set of an event's indexed metadata pairs, made on first sight. */
  private metasetId(raw: string): number {
    let id = this.interned.metasets.get(raw);
    if (id !== undefined) return id;
    const pairs: number[] = [];
    for (const [key, value] of pairsOfSetKey(raw)) pairs.push(this.pairId(key, value));
    const signature = [...new Set(pairs)].sort((a, b) => a - b).join(',');
    const row = this.stmt.metasetOf.get(signature) as { id: number } | undefined;
    if (row) id = row.id;
    else {
      id = Number(this.stmt.insertMetaset.run(signature).lastInsertRowid);
      for (const pair of pairs) this.stmt.linkPair.run(pair, id);
    }
    this.interned.metasets.set(raw, id);
    return id;
  }

  /**
   * Records appended lines and the segments' new sizes in one transaction.
   * Events whose id is already indexed are skipped (a catch-up may see lines
   * a crashed process wrote twice); the count of new rows is returned.
   */
  commit(events: IndexedEvent[], markers: IndexedMarker[], progress: SegmentProgress[]): number {
    try {
      return this.commitInTransaction(events, markers, progress);
    } catch (err) {
      // A rolled-back transaction may have made ids the caches now remember.
      for (const m of Object.values(this.interned)) m.clear();
      throw err;
    }
  }

  private commitInTransaction(events: IndexedEvent[], markers: IndexedMarker[], progress: SegmentProgress[]): number {
    return this.db.transaction(() => {
      let added = 0;
      for (const e of events) {
        const sensor = e.sensorId === null ? null : this.intern(this.interned.sensors, 'sensors', 'sensor_id', e.sensorId);
        const origin = e.origin === null ? null : this.intern(this.interned.origins, 'origins', 'origin', e.origin);
        let seq: number;
        try {
          seq = Number(
            this.stmt.insertEvent.run(e.eventId, this.tenantRef, sensor, e.clientTs, e.receivedTs, e.segmentId, e.offset,
              e.length, asBuffer(e.payloadSha256), e.ruleIds.length, this.anyMarkers && this.stmt.markedEvent.get(e.eventId) ? 1 : 0,
              this.metasetId(e.metadataKey), origin, e.stripped, e.verification).lastInsertRowid,
          );
        } catch (err) {
          if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') continue;
          throw err;
        }
        added++;
        for (const ruleId of e.ruleIds) this.stmt.insertRule.run(this.intern(this.interned.rules, 'rules', 'rule_id', ruleId), seq);
      }
      for (const m of markers) {
        this.anyMarkers = true;
        this.stmt.insertMarker.run(m.markerId, m.eventId, m.markedAt, m.reason, m.segmentId, m.offset, m.length);
        this.stmt.markDeleted.run(m.eventId);
      }
      for (const p of progress) {
        if (p.blocks) {
          for (const b of p.blocks) this.stmt.insertBlock.run(p.segmentId, b.raw_offset, b.raw_length, b.file_offset, b.file_length);
        }
        this.stmt.updateSegment.run(p.rawSize, p.fileSize, p.compressed === undefined ? null : p.compressed ? 1 : 0, p.segmentId);
      }
      return added;
    })();
  }

  // ---- reads ----

  /** Stored facts of those ids that are indexed (one statement for a whole batch). */
  lookupMany(eventIds: string[]): Map<string, StoredFacts> {
    const found = new Map<string, StoredFacts>();
    if (eventIds.length === 0) return found;
    for (const row of this.stmt.lookupMany.all(JSON.stringify(eventIds)) as StoredFacts[]) found.set(row.event_id, row);
    return found;
  }

  lookup(eventId: string): EventRow | undefined {
    return this.stmt.lookup.get(eventId) as EventRow | undefined;
  }

  hasMarker(markerId: string): boolean {
    return this.db.prepare('SELECT 1 FROM markers WHERE marker_id = ?').get(markerId) !== undefined;
  }

  /** Every matched rule id with its event count. */
  matchedRules(): FacetValue[] {
    return this.db
      .prepare('SELECT r.rule_id AS value, count(*) AS events FROM event_rules er JOIN rules r ON r.id = er.rule GROUP BY er.rule ORDER BY events DESC, value')
      .all() as FacetValue[];
  }

  /** Some event that matched a rule (any one: for reading the rule's snapshot), or undefined. */
  anyEventOfRule(ruleId: string): EventRow | undefined {
    return this.db
      .prepare(`SELECT ${EVENT_COLUMNS} FROM ${EVENT_FROM} WHERE e.seq = (SELECT er.seq FROM event_rules er JOIN rules r ON r.id = er.rule WHERE r.rule_id = ? LIMIT 1)`)
      .get(ruleId) as EventRow | undefined;
  }

  markersFor(eventId: string): Array<{ marker_id: string; marked_at: string; reason: string }> {
    return this.db
      .prepare('SELECT marker_id, marked_at, reason FROM markers WHERE event_id = ? ORDER BY marked_at')
      .all(eventId) as Array<{ marker_id: string; marked_at: string; reason: string }>;
  }

  /** Builds the WHERE clause of a filter; null when a named sensor/rule/pair is unknown (no match possible). */
  private where(f: EventFilter): { sql: string; params: unknown[] } | null {
    const col = f.by === 'client' ? 'e.client_ts' : 'e.received_ts';
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (f.since !== undefined) {
      clauses.push(`${col} >= ?`);
      params.push(f.since);
    }
    if (f.until !== undefined) {
      clauses.push(`${col} < ?`);
      params.push(f.until);
    }
    if (f.sensor !== undefined) {
      const row = this.db.prepare('SELECT id FROM sensors WHERE sensor_id = ?').get(f.sensor) as { id: number } | undefined;
      if (!row) return null;
      clauses.push('e.sensor = ?');
      params.push(row.id);
    }
    if (f.rule !== undefined) {
      const row = this.db.prepare('SELECT id FROM rules WHERE rule_id = ?').get(f.rule) as { id: number } | undefined;
      if (!row) return null;
      clauses.push('e.seq IN (SELECT seq FROM event_rules WHERE rule = ?)');
      params.push(row.id);
    }
    for (const [key, value] of f.meta ?? []) {
      if (PER_EVENT_KEYS.has(key)) {
        // Not kept in metadata sets: they repeat the line's own timestamps, which are columns.
        clauses.push(`${key === SYSTEM_KEYS.clientTimestamp ? 'e.client_ts' : 'e.received_ts'} = ?`);
        params.push(value);
        continue;
      }
      const row = this.db.prepare('SELECT id FROM meta_pairs WHERE key = ? AND value = ?').get(key, value) as { id: number } | undefined;
      if (!row) return null;
      clauses.push('e.metaset IN (SELECT metaset FROM metaset_pairs WHERE pair = ?)');
      params.push(row.id);
    }
    if (f.spoofed) clauses.push('e.stripped > 0');
    // A literal, not a parameter: SQLite uses a partial index only for a term it can see.
    if (f.verification !== undefined) clauses.push(`e.verification = ${VERIFICATION_CODES[f.verification]}`);
    if (!f.includeDeleted) clauses.push('e.deleted = 0');
    return { sql: clauses.length ? 'WHERE ' + clauses.join(' AND ') : '', params };
  }

  /** One page in time order (keyset pagination on (timestamp, seq)). */
  page(f: EventFilter, order: 'asc' | 'desc', limit: number, after?: PageKey, offset = 0): EventRow[] {
    const w = this.where(f);
    if (!w) return [];
    const col = f.by === 'client' ? 'e.client_ts' : 'e.received_ts';
    let sql = w.sql;
    const params = [...w.params];
    if (after) {
      sql += (sql ? ' AND ' : 'WHERE ') + `(${col}, e.seq) ${order === 'desc' ? '<' : '>'} (?, ?)`;
      params.push(after.ts, after.seq);
    }
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    return this.db
      .prepare(`SELECT ${EVENT_COLUMNS} FROM ${EVENT_FROM} ${sql} ORDER BY ${col} ${dir}, e.seq ${dir} LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as EventRow[];
  }

  /** The first and last time on the filter's time field, or null when nothing matches (two index probes). */
  range(f: EventFilter): { first: string; last: string } | null {
    const w = this.where(f);
    if (!w) return null;
    const col = f.by === 'client' ? 'e.client_ts' : 'e.received_ts';
    const end = (dir: 'ASC' | 'DESC') =>
      (this.db.prepare(`SELECT ${col} AS t FROM events e ${w.sql} ORDER BY ${col} ${dir} LIMIT 1`).get(...w.params) as { t: string } | undefined)?.t;
    const first = end('ASC');
    return first === undefined ? null : { first, last: end('DESC')! };
  }

  count(f: EventFilter): number {
    const w = this.where(f);
    if (!w) return 0;
    return (this.db.prepare(`SELECT count(*) AS n FROM events e ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  /**
   * Event counts per interval: buckets start at `origin` (epoch seconds) and
   * are `intervalSeconds` wide; returns [bucket start (epoch s), count] pairs.
   */
  histogram(f: EventFilter, intervalSeconds: number, originSeconds = 0): Array<[number, number]> {
    const w = this.where(f);
    if (!w) return [];
    const col = f.by === 'client' ? 'e.client_ts' : 'e.received_ts';
    const rows = this.db
      .prepare(
        // Integer floor division (bound as BigInt so SQLite divides integers), correct before the origin too.
        `SELECT (d - ((d % ? + ?) % ?)) / ? AS b, count(*) AS n
         FROM (SELECT unixepoch(${col}) - ? AS d FROM events e ${w.sql})
         GROUP BY b ORDER BY b`,
      )
      .raw()
      .all(...Array(4).fill(BigInt(intervalSeconds)), BigInt(originSeconds), ...w.params) as Array<[number, number]>;
    return rows.map(([b, n]) => [originSeconds + b * intervalSeconds, n]);
  }

  /** Every row of a segment in file order (verify). */
  rowsOfSegment(segmentId: number): Array<{ event_id: string; line_offset: number; line_length: number; payload_sha256: Buffer }> {
    return this.db
      .prepare('SELECT event_id, line_offset, line_length, payload_sha256 FROM events WHERE segment_id = ? ORDER BY line_offset')
      .all(segmentId) as Array<{ event_id: string; line_offset: number; line_length: number; payload_sha256: Buffer }>;
  }

  markersOfSegment(segmentId: number): Array<{ marker_id: string; line_offset: number; line_length: number }> {
    return this.db
      .prepare('SELECT marker_id, line_offset, line_length FROM markers WHERE segment_id = ? ORDER BY line_offset')
      .all(segmentId) as Array<{ marker_id: string; line_offset: number; line_length: number }>;
  }

  /**
   * What the filter pickers offer: the commonest sensors, matched rules and
   * metadata pairs (`$tk.*` included), with event counts, deleted events left out.
   */
  facets(limit: number): Facets {
    // Counted on the sensor index alone (no table reads), then the few deleted events taken off.
    const perSensor = this.db
      .prepare('SELECT e.sensor AS sensor, count(*) AS n FROM events e INDEXED BY events_by_sensor_received WHERE e.sensor IS NOT NULL GROUP BY e.sensor')
      .all() as Array<{ sensor: number; n: number }>;
    const deleted = new Map(
      (this.db
        .prepare(`SELECT e.sensor AS sensor, count(*) AS n FROM events e
                  WHERE e.event_id IN (SELECT event_id FROM markers) AND e.deleted = 1 AND e.sensor IS NOT NULL GROUP BY e.sensor`)
        .all() as Array<{ sensor: number; n: number }>).map((r) => [r.sensor, r.n]),
    );
    const names = new Map((this.db.prepare('SELECT id, sensor_id FROM sensors').all() as Array<{ id: number; sensor_id: string }>).map((r) => [r.id, r.sensor_id]));
    const sensors = perSensor
      .map((r) => ({ value: names.get(r.sensor)!, events: r.n - (deleted.get(r.sensor) ?? 0) }))
      .filter((r) => r.events > 0)
      .sort((a, b) => b.events - a.events || (a.value < b.value ? -1 : 1))
      .slice(0, limit);
    const rules = this.db
      .prepare(`SELECT r.rule_id AS value, count(*) AS events FROM event_rules er JOIN rules r ON r.id = er.rule
                GROUP BY er.rule ORDER BY events DESC, value LIMIT ?`)
      .all(limit) as FacetValue[];
    // Count per metadata set first (a handful), then spread over their pairs.
    const pairs = this.db
      .prepare(`WITH per_set AS (SELECT metaset, count(*) AS n FROM events WHERE deleted = 0 GROUP BY metaset)
                SELECT p.key AS key, p.value AS value, sum(per_set.n) AS events
                FROM per_set JOIN metaset_pairs mp ON mp.metaset = per_set.metaset JOIN meta_pairs p ON p.id = mp.pair
                GROUP BY p.id ORDER BY events DESC, key, value`)
      .all() as Array<{ key: string; value: string; events: number }>;
    const metadata: Record<string, FacetValue[]> = {};
    for (const p of pairs) {
      const list = (metadata[p.key] ??= []);
      if (list.length < limit) list.push({ value: p.value, events: p.events });
    }
    return { sensors, rules, metadata };
  }

  /**
   * The audit view's figures over a filter (PRODUCT §3 "`$tk.*` metadata"):
   * which API type/version and station version received the events, spoof
   * attempts, client-vs-receipt clock skew and client addresses per sensor.
   * Metadata is counted per (sensor, metadata set) group, a handful of rows
   * however many events match.
   */
  audit(f: EventFilter): IndexAudit {
    const empty: IndexAudit = { events: 0, spoofed: 0, spoofUnknown: 0, system: {}, sensors: [], verification: { agrees: 0, disagrees: 0, not_verifiable: 0, none: 0, unchecked: 0 } };
    const w = this.where(f);
    if (!w) return empty;
    const groups = `WITH g AS (SELECT e.sensor AS sensor, e.metaset AS metaset, count(*) AS n FROM events e ${w.sql} GROUP BY e.sensor, e.metaset)`;
    const totals = this.db
      .prepare(`SELECT count(*) AS events, coalesce(sum(e.stripped > 0), 0) AS spoofed, coalesce(sum(e.stripped IS NULL), 0) AS unknown,
                  coalesce(sum(e.verification = 0), 0) AS agrees, coalesce(sum(e.verification = 1), 0) AS disagrees,
                  coalesce(sum(e.verification = 2), 0) AS not_verifiable, coalesce(sum(e.verification = 3), 0) AS none,
                  coalesce(sum(e.verification IS NULL), 0) AS unchecked
                FROM events e ${w.sql}`)
      .get(...w.params) as { events: number; spoofed: number; unknown: number } & IndexAudit['verification'];
    const keys = [SYSTEM_KEYS.apiType, SYSTEM_KEYS.apiVersion, SYSTEM_KEYS.serverVersion];
    const system: Record<string, FacetValue[]> = Object.fromEntries(keys.map((k) => [k, []]));
    const pairs = this.db
      .prepare(`${groups} SELECT p.key AS key, p.value AS value, sum(g.n) AS events
                FROM g JOIN metaset_pairs mp ON mp.metaset = g.metaset JOIN meta_pairs p ON p.id = mp.pair
                WHERE p.key IN (${keys.map(() => '?').join(', ')}) GROUP BY p.id ORDER BY events DESC, p.value`)
      .all(...w.params, ...keys) as Array<{ key: string; value: string; events: number }>;
    for (const p of pairs) system[p.key]!.push({ value: p.value, events: p.events });
    for (const k of keys) {
      // Imported events from elsewhere may lack a system key: say how many.
      const missing = totals.events - system[k]!.reduce((a, v) => a + v.events, 0);
      if (missing > 0) system[k]!.push({ value: '', events: missing });
    }
    // Skew = receipt − client time in ms, from the nine-digit texts without float rounding of the seconds.
    const skewMs = `((unixepoch(e.received_ts) - unixepoch(e.client_ts)) * 1000.0
                    + (CAST(substr(e.received_ts, 21, 9) AS INTEGER) - CAST(substr(e.client_ts, 21, 9) AS INTEGER)) / 1e6)`;
    const perSensor = this.db
      .prepare(`SELECT s.sensor_id AS sensor, count(*) AS events, coalesce(sum(x.stripped > 0), 0) AS spoofed,
                  min(x.skew) AS minSkewMs, max(x.skew) AS maxSkewMs, avg(x.skew) AS meanSkewMs,
                  sum(x.skew > ${SKEW_FLAG_MS}) AS late, sum(x.skew < 0) AS ahead, max(x.received_ts) AS lastSeen
                FROM (SELECT e.sensor, e.stripped, e.received_ts, ${skewMs} AS skew FROM events e ${w.sql}) x
                LEFT JOIN sensors s ON s.id = x.sensor
                GROUP BY x.sensor ORDER BY events DESC, s.sensor_id`)
      .all(...w.params) as Array<Omit<SensorAudit, 'clientIps'>>;
    const ips = this.db
      .prepare(`${groups} SELECT s.sensor_id AS sensor, p.value AS ip, sum(g.n) AS events
                FROM g JOIN metaset_pairs mp ON mp.metaset = g.metaset JOIN meta_pairs p ON p.id = mp.pair
                LEFT JOIN sensors s ON s.id = g.sensor
                WHERE p.key = ? GROUP BY g.sensor, p.id ORDER BY events DESC, p.value`)
      .all(...w.params, SYSTEM_KEYS.clientIp) as Array<{ sensor: string | null; ip: string; events: number }>;
    const sensors: SensorAudit[] = perSensor.map((r) => ({
      ...r,
      clientIps: ips.filter((i) => i.sensor === r.sensor).map((i) => ({ value: i.ip, events: i.events })),
    }));
    const verification = { agrees: totals.agrees, disagrees: totals.disagrees, not_verifiable: totals.not_verifiable, none: totals.none, unchecked: totals.unchecked };
    return { events: totals.events, spoofed: totals.spoofed, spoofUnknown: totals.unknown, system, sensors, verification };
  }

  stats(): IndexStats {
    const one = <T>(sql: string) => this.db.prepare(sql).get() as T;
    const totals = one<{ events: number; deleted: number; first: string | null; last: string | null }>(
      'SELECT count(*) AS events, coalesce(sum(deleted), 0) AS deleted, min(received_ts) AS first, max(received_ts) AS last FROM events',
    );
    const sensors = this.db
      .prepare(
        `SELECT s.sensor_id AS sensor, count(*) AS events, max(e.received_ts) AS last_seen
         FROM events e JOIN sensors s ON s.id = e.sensor GROUP BY e.sensor ORDER BY events DESC, s.sensor_id`,
      )
      .all() as Array<{ sensor: string; events: number; last_seen: string }>;
    const days = this.db
      .prepare(
        `SELECT g.day, g.compressed, g.raw_size, g.file_size, count(e.seq) AS events
         FROM segments g LEFT JOIN events e ON e.segment_id = g.id GROUP BY g.id ORDER BY g.day`,
      )
      .all() as Array<{ day: string; compressed: number; raw_size: number; file_size: number; events: number }>;
    return {
      events: totals.events,
      deleted: totals.deleted,
      markers: (this.stmt.markerCount.get() as { n: number }).n,
      firstReceivedAt: totals.first,
      lastReceivedAt: totals.last,
      sensors,
      days: days.map((d) => ({ ...d, compressed: d.compressed === 1 })),
      rulesMatched: one<{ n: number }>('SELECT count(*) AS n FROM rules').n,
    };
  }
}

/** Skew beyond this (ms, receipt after client time) is flagged in the audit view. */
export const SKEW_FLAG_MS = 100;



/** A value and how many events carry it. */
export type FacetValue = CountedValue;

export interface Facets {
  sensors: FacetValue[];
  rules: FacetValue[];
  /** Per metadata key, its commonest values. */
  metadata: Record<string, FacetValue[]>;
}

export interface IndexStats {
  events: number;
  deleted: number;
  markers: number;
  firstReceivedAt: string | null;
  lastReceivedAt: string | null;
  sensors: Array<{ sensor: string; events: number; last_seen: string }>;
  days: Array<{ day: string; compressed: boolean; raw_size: number; file_size: number; events: number }>;
  rulesMatched: number;
}

/** better-sqlite3 binds Buffers as BLOBs; a Uint8Array from a worker is viewed as one without copying. */
function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
