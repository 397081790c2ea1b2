-- The event index (PRODUCT §3 trapperkeeper.db): everything here can be rebuilt
-- from events/. Positions are in uncompressed bytes of a day's lines, so they
-- survive the compression of a day.

CREATE TABLE segments (
  id          INTEGER PRIMARY KEY,
  day         TEXT    NOT NULL UNIQUE,     -- YYYY-MM-DD, UTC day of server receipt
  compressed  INTEGER NOT NULL DEFAULT 0,  -- 1: events/<day>.jsonl.gz, 0: events/<day>.jsonl
  raw_size    INTEGER NOT NULL DEFAULT 0,  -- uncompressed bytes indexed so far
  file_size   INTEGER NOT NULL DEFAULT 0   -- file bytes indexed so far
);

-- The gzip members of a compressed day (see core/store/blocked-gzip.ts).
CREATE TABLE blocks (
  segment_id  INTEGER NOT NULL,
  raw_offset  INTEGER NOT NULL,
  raw_length  INTEGER NOT NULL,
  file_offset INTEGER NOT NULL,
  file_length INTEGER NOT NULL,
  PRIMARY KEY (segment_id, raw_offset)
) WITHOUT ROWID;

-- Interned names keep the per-event rows small.
CREATE TABLE tenants (id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL UNIQUE);
CREATE TABLE sensors (id INTEGER PRIMARY KEY, sensor_id TEXT NOT NULL UNIQUE);
CREATE TABLE origins (id INTEGER PRIMARY KEY, origin TEXT NOT NULL UNIQUE);
CREATE TABLE rules   (id INTEGER PRIMARY KEY, rule_id TEXT NOT NULL UNIQUE);
CREATE TABLE meta_pairs (
  id    INTEGER PRIMARY KEY,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (key, value)
);
-- A sensor sends the same metadata again and again: each distinct set of pairs
-- is stored once and events point at it, instead of one row per pair per event.
CREATE TABLE metasets (
  id        INTEGER PRIMARY KEY,
  signature TEXT NOT NULL UNIQUE      -- sorted meta_pairs ids, comma-separated
);
CREATE TABLE metaset_pairs (
  pair    INTEGER NOT NULL,
  metaset INTEGER NOT NULL,
  PRIMARY KEY (pair, metaset)
) WITHOUT ROWID;

CREATE TABLE events (
  seq            INTEGER PRIMARY KEY,     -- index order; tie-breaker of equal timestamps
  event_id       TEXT    NOT NULL UNIQUE,
  tenant         INTEGER NOT NULL,        -- tenants.id
  sensor         INTEGER,                 -- sensors.id; NULL: the event has no sensor
  client_ts      TEXT    NOT NULL,        -- nine-digit RFC 3339, so text order is time order
  received_ts    TEXT    NOT NULL,
  segment_id     INTEGER NOT NULL,
  line_offset    INTEGER NOT NULL,
  line_length    INTEGER NOT NULL,        -- bytes, without the newline
  payload_sha256 BLOB    NOT NULL,
  rule_count     INTEGER NOT NULL,
  deleted        INTEGER NOT NULL DEFAULT 0,
  metaset        INTEGER NOT NULL,        -- metasets.id: its metadata pairs
  origin         INTEGER                  -- origins.id: how it arrived ("grpc", "import:<file>"); NULL after a rebuild
);
CREATE INDEX events_by_received        ON events (received_ts);
CREATE INDEX events_by_client          ON events (client_ts);
CREATE INDEX events_by_sensor_received ON events (sensor, received_ts);

-- Which rules each event matched, keyed for lookups by rule
-- (WITHOUT ROWID: one b-tree per row, appended in seq order).
CREATE TABLE event_rules (rule INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (rule, seq)) WITHOUT ROWID;

-- Soft-delete markers (PRODUCT §3 "Marker line").
CREATE TABLE markers (
  marker_id   TEXT    PRIMARY KEY,
  event_id    TEXT    NOT NULL,
  marked_at   TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  segment_id  INTEGER NOT NULL,
  line_offset INTEGER NOT NULL,
  line_length INTEGER NOT NULL
);
CREATE INDEX markers_by_event ON markers (event_id);
