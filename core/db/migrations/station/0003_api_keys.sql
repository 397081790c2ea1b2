-- API keys for sensors (upstream's tk-v1-<secret-id>-<random> format). Only an
-- HMAC-SHA256 of each key is kept, under a secret that never leaves this file.
CREATE TABLE hmac_secrets (
  secret_id  TEXT NOT NULL PRIMARY KEY,   -- 32 hex digits, the key's second part
  secret     BLOB NOT NULL,               -- 32 random bytes
  created_at TEXT NOT NULL
);

CREATE TABLE api_keys (
  api_key_id TEXT NOT NULL PRIMARY KEY,   -- UUIDv7
  tenant_id  TEXT NOT NULL,
  name       TEXT NOT NULL,
  secret_id  TEXT NOT NULL,
  key_hash   BLOB NOT NULL UNIQUE,        -- HMAC-SHA256(secret, full key)
  created_at TEXT NOT NULL,
  revoked_at TEXT                         -- NULL while the key works
);
CREATE INDEX api_keys_by_secret ON api_keys (secret_id);
