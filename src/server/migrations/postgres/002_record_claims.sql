-- 002 (PostgreSQL; SQLite's 003): record ids referred to before their record exists
-- (feedback raised during a running reading session names the session's id). The
-- first author to refer to such an id reserves it: nobody else may later store a
-- record under it.

CREATE TABLE record_claims (
  id          TEXT COLLATE "C" PRIMARY KEY,
  author_id   TEXT NOT NULL,
  claimed_at  TEXT NOT NULL
);
