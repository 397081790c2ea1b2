-- station.db (PRODUCT §3): what cannot be rebuilt from events/.

-- One tenant per station, made at first start (multi-tenancy preparation).
CREATE TABLE tenant (
  tenant_id  TEXT NOT NULL PRIMARY KEY,
  created_at TEXT NOT NULL
);
