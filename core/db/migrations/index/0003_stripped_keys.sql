-- How many `$`-prefixed metadata keys a client tried to write on an event
-- (stripped on ingest, kept in the line's audit.stripped_metadata): the audit
-- view lists spoof attempts without reading every line.
-- NULL: the row was indexed before this column existed (tk reindex fills it).
ALTER TABLE events ADD COLUMN stripped INTEGER;
