-- 007 (PostgreSQL; SQLite's 008): the database's identity (renewed after a restore with
-- `npm run admin -- identity:renew`: devices that see a new one send again what the
-- server lacks and pull from the start), per-account push usage for the abuse limits
-- (shared by every server process), and the quarantine read per account.

CREATE TABLE database_identity (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  identity    TEXT NOT NULL,
  renewed_at  TEXT NOT NULL,
  base_seq    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE push_usage (
  user_id       TEXT COLLATE "C" NOT NULL,
  window_kind   TEXT NOT NULL CHECK (window_kind IN ('m', 'd')),
  window_start  BIGINT NOT NULL,
  records       BIGINT NOT NULL,
  bytes         BIGINT NOT NULL,
  PRIMARY KEY (user_id, window_kind, window_start)
);

CREATE INDEX quarantine_user ON quarantine (user_id, qid);
