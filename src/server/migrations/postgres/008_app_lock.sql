-- 008 (PostgreSQL; SQLite's 009): app lock policies per community (src/shared/appLock.ts):
-- community staff require a PIN on every device working in their community, and how long
-- a device may stay idle.

CREATE TABLE app_lock_policies (
  community    TEXT COLLATE "C" PRIMARY KEY,  -- org path of the community
  required     INTEGER NOT NULL,              -- 1: everyone must set a PIN
  idle_minutes INTEGER NOT NULL,
  set_by       TEXT NOT NULL,                 -- user id
  set_at       TEXT NOT NULL                  -- ISO, server clock
);
