-- The rule store (PRODUCT §3 station.db): rules are immutable; a rule_id once
-- stored keeps its definition. `definition` is the rule as imported, in
-- upstream's JSON rule shape, normalised (see core/rules/rule-definition.ts).
CREATE TABLE rules (
  rule_id     TEXT NOT NULL PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  name        TEXT NOT NULL,
  state       TEXT NOT NULL,            -- draft | active | disabled
  created_at  TEXT NOT NULL,            -- nine-digit RFC 3339
  definition  TEXT NOT NULL,            -- canonical JSON
  imported_at TEXT NOT NULL
);
