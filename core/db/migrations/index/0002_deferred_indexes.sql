-- A bulk load (a full reindex) drops the time and sensor indexes and builds
-- them again at the end, which is several times faster than keeping them up
-- to date row by row. Their definitions wait here meanwhile, so a load cut
-- short by a crash still gets them back on the next open.
CREATE TABLE deferred_indexes (
  name TEXT PRIMARY KEY,
  sql  TEXT NOT NULL
);
