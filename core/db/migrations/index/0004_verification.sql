-- Re-verification of each event's recorded match (core/rules/verify-event.ts):
-- 0 agrees, 1 disagrees, 2 not verifiable, 3 nothing to verify (no rule snapshot).
-- NULL: indexed before verification existed (tk reindex fills it in).
ALTER TABLE events ADD COLUMN verification INTEGER;
-- The few events worth a look get small indexes of their own (queries name the code as a literal).
CREATE INDEX events_disagreeing ON events (received_ts) WHERE verification = 1;
CREATE INDEX events_not_verifiable ON events (received_ts) WHERE verification = 2;
