-- Re-verification of each event's recorded match (core/rules/verify-event.ts):
-- 0 agrees, 1 disagrees, 2 not verifiable, 3 nothing to verify (no rule snapshot).
-- NULL: indexed before verification existed (tk reindex fills it in).
ALTER TABLE events ADD COLUMN verification INTEGER;
CREATE INDEX events_by_verification ON events (verification) WHERE verification IN (1, 2);
