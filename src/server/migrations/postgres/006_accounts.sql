-- 006 (PostgreSQL): SQLite's 007: accounts managed in the app and hardened login.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE org_nodes ADD COLUMN phone TEXT;

CREATE TABLE known_devices (
  mark_hash     TEXT COLLATE "C" NOT NULL,  -- sha256 hex of the device mark
  user_id       TEXT COLLATE "C" NOT NULL REFERENCES users (id),
  created_at    BIGINT NOT NULL,  -- epoch ms
  last_used_at  BIGINT NOT NULL,  -- epoch ms
  PRIMARY KEY (mark_hash, user_id)
);
CREATE INDEX known_devices_user ON known_devices (user_id);
