-- 008: the database's identity (renewed by a restore: devices that see a new one send
-- again what the server lacks and pull from the start), per-account push usage for the
-- abuse limits, and the quarantine read per account (its cap and the staff screen).

CREATE TABLE database_identity (
  id          INTEGER PRIMARY KEY CHECK (id = 1),  -- one row
  identity    TEXT NOT NULL,                       -- random, renewed by `restore` / `identity:renew`
  renewed_at  TEXT NOT NULL,                       -- ISO
  base_seq    INTEGER NOT NULL DEFAULT 0           -- the highest seq when it was renewed
);

-- Records and bytes pushed per account in fixed windows ('m' minute, 'd' day); rows of
-- windows gone by are deleted now and then.
CREATE TABLE push_usage (
  user_id       TEXT NOT NULL,
  window_kind   TEXT NOT NULL CHECK (window_kind IN ('m', 'd')),
  window_start  INTEGER NOT NULL,  -- epoch ms
  records       INTEGER NOT NULL,
  bytes         INTEGER NOT NULL,
  PRIMARY KEY (user_id, window_kind, window_start)
) WITHOUT ROWID;

CREATE INDEX quarantine_user ON quarantine (user_id, qid);
