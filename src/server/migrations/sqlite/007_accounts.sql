-- 007: accounts managed in the app and hardened login.
-- A one-time code set by staff must be changed at the next login.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
-- Whom to ask when a password is forgotten: a community's (or street's) phone, from the import.
ALTER TABLE org_nodes ADD COLUMN phone TEXT;

-- Devices a person has logged in from: a random mark given at a successful login
-- (kept by the browser as a cookie), stored only as its sha256. The right password
-- from a known device passes the per-account and per-address login throttle.
CREATE TABLE known_devices (
  mark_hash     TEXT NOT NULL,
  user_id       TEXT NOT NULL REFERENCES users (id),
  created_at    INTEGER NOT NULL,  -- epoch ms
  last_used_at  INTEGER NOT NULL,  -- epoch ms, the last successful login with it
  PRIMARY KEY (mark_hash, user_id)  -- a shared tablet is known for each person who logged in on it
) WITHOUT ROWID;
CREATE INDEX known_devices_user ON known_devices (user_id);
