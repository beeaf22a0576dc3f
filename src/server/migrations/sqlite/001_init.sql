-- 001: the organisation tree, accounts, sessions, the record log and its quarantine.

CREATE TABLE org_nodes (
  path        TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('district', 'street', 'community', 'group', 'building', 'reading_point')),
  name        TEXT NOT NULL,
  parent      TEXT,
  layout      TEXT,            -- JSON BuildingLayout, buildings only
  place       TEXT,            -- reading points only
  usual_time  TEXT             -- reading points only
) WITHOUT ROWID;
CREATE INDEX org_nodes_parent ON org_nodes (parent);

CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  phone          TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  role           TEXT NOT NULL,
  scopes         TEXT NOT NULL,  -- JSON array of org paths
  password_hash  TEXT NOT NULL,
  disabled_at    TEXT
);

CREATE TABLE sessions (
  token_hash    TEXT PRIMARY KEY,  -- sha256 hex of the bearer token; the token itself is never stored
  user_id       TEXT NOT NULL REFERENCES users (id),
  created_at    INTEGER NOT NULL,  -- epoch ms
  last_seen_at  INTEGER NOT NULL,  -- epoch ms, refreshed at most once a minute
  revoked_at    INTEGER
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

-- The accepted records are the queue: seq orders everything and is never reused.
CREATE TABLE records (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  type          TEXT NOT NULL,
  v             INTEGER NOT NULL,
  org_path      TEXT NOT NULL,
  author_id     TEXT NOT NULL,
  device_id     TEXT NOT NULL,
  client_time   TEXT NOT NULL,
  body          TEXT NOT NULL,     -- JSON
  content_hash  TEXT NOT NULL,     -- sha256 hex of the canonical envelope
  server_time   TEXT NOT NULL      -- ISO, server clock
);
-- Scoped pulls: a building's records in seq order come straight off this index;
-- a community's are one contiguous range of it.
CREATE INDEX records_scope ON records (org_path, seq);

CREATE TABLE quarantine (
  qid          INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id    TEXT,
  user_id      TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  code         TEXT NOT NULL,
  reason       TEXT NOT NULL,
  path         TEXT NOT NULL,
  raw          TEXT NOT NULL       -- the record as received, truncated to 64 KB
);
CREATE INDEX quarantine_record ON quarantine (record_id);
