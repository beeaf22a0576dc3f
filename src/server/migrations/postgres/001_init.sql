-- 001 (PostgreSQL): the schema of SQLite's 001 and 002 in one step, kept to the portable
-- subset (README "Running on PostgreSQL"): TEXT and BIGINT columns, JSON kept as TEXT, no
-- functions in defaults but the sequences, and COLLATE "C" on every path, so a range
-- [scope || '/', scope || '0') holds exactly the paths beneath a scope (a language
-- collation would sort '/' and '0' by other rules). No column gives '' a meaning of its
-- own: databases in Oracle mode store '' as NULL.

CREATE TABLE org_nodes (
  path        TEXT COLLATE "C" PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('district', 'street', 'community', 'group', 'building', 'reading_point')),
  name        TEXT NOT NULL,
  parent      TEXT COLLATE "C",
  layout      TEXT,            -- JSON BuildingLayout, buildings only
  place       TEXT,            -- reading points only
  usual_time  TEXT             -- reading points only
);
CREATE INDEX org_nodes_parent ON org_nodes (parent);

CREATE TABLE users (
  id             TEXT COLLATE "C" PRIMARY KEY,
  phone          TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  role           TEXT NOT NULL,
  scopes         TEXT NOT NULL,  -- JSON array of org paths, as given
  password_hash  TEXT NOT NULL,
  disabled_at    TEXT
);

-- One row per scope of a user, so "who works near here" is an indexed range query
-- rather than a JSON function (which each database spells differently).
CREATE TABLE user_scopes (
  user_id  TEXT COLLATE "C" NOT NULL REFERENCES users (id),
  scope    TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (user_id, scope)
);
CREATE INDEX user_scopes_scope ON user_scopes (scope);

CREATE TABLE sessions (
  token_hash    TEXT COLLATE "C" PRIMARY KEY,  -- sha256 hex of the bearer token
  user_id       TEXT COLLATE "C" NOT NULL REFERENCES users (id),
  created_at    BIGINT NOT NULL,  -- epoch ms
  last_seen_at  BIGINT NOT NULL,  -- epoch ms, refreshed at most once a minute
  revoked_at    BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins, shared by every server process (the SQLite server keeps them in memory).
CREATE TABLE login_failures (
  key  TEXT COLLATE "C" NOT NULL,  -- 'phone:…' or 'ip:…'
  at   BIGINT NOT NULL             -- epoch ms
);
CREATE INDEX login_failures_key ON login_failures (key, at);

-- The accepted records are the queue: seq orders everything. Appends take an advisory
-- lock, so seq order is commit order (postgres/storage.ts).
CREATE TABLE records (
  seq           BIGSERIAL PRIMARY KEY,
  id            TEXT COLLATE "C" NOT NULL UNIQUE,
  type          TEXT NOT NULL,
  v             INTEGER NOT NULL,
  org_path      TEXT COLLATE "C" NOT NULL,
  author_id     TEXT NOT NULL,
  device_id     TEXT NOT NULL,
  client_time   TEXT NOT NULL,
  body          TEXT NOT NULL,     -- JSON
  content_hash  TEXT NOT NULL,     -- sha256 hex of the canonical envelope
  server_time   TEXT NOT NULL,     -- ISO, server clock
  target_id     TEXT COLLATE "C"   -- the record this one refers to, if any
);
CREATE INDEX records_scope ON records (org_path, seq);
CREATE INDEX records_target ON records (target_id, seq);

CREATE TABLE quarantine (
  qid          BIGSERIAL PRIMARY KEY,
  record_id    TEXT,
  user_id      TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  code         TEXT NOT NULL,
  reason       TEXT NOT NULL,
  path         TEXT,               -- NULL for the whole record ('' on the wire)
  raw          TEXT NOT NULL       -- the record as received, truncated to 64 KB
);
CREATE INDEX quarantine_record ON quarantine (record_id);
