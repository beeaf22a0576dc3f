-- 005 (PostgreSQL): SQLite's 006, the ledger's per-item summaries (src/server/ledger/summaries.ts),
-- kept current in the transaction of every append. Instants are trusted epoch ms (BIGINT);
-- paths COLLATE "C" so scope ranges hold exactly the paths beneath. A database that already
-- holds records is rebuilt from its log at the next start (ledger_state.stale = 1).

CREATE TABLE ledger_visits (
  id         TEXT COLLATE "C" PRIMARY KEY,
  org_path   TEXT COLLATE "C" NOT NULL,
  household  TEXT NOT NULL,
  at         BIGINT NOT NULL,
  outcome    TEXT NOT NULL,
  policy     INTEGER NOT NULL,
  covering   INTEGER NOT NULL
);
CREATE INDEX ledger_visits_at ON ledger_visits (at);
CREATE INDEX ledger_visits_household ON ledger_visits (org_path, household, at);

CREATE TABLE ledger_feedback (
  id              TEXT COLLATE "C" PRIMARY KEY,
  org_path        TEXT COLLATE "C" NOT NULL,
  raised_at       BIGINT NOT NULL,
  resolved_at     BIGINT,
  resolved_level  TEXT,
  held_level      TEXT NOT NULL,
  urgency         TEXT NOT NULL,
  reopened        INTEGER NOT NULL,
  reported_back   INTEGER NOT NULL,
  satisfied       INTEGER NOT NULL
);
CREATE INDEX ledger_feedback_raised ON ledger_feedback (raised_at);

CREATE TABLE ledger_sessions (
  id          TEXT COLLATE "C" PRIMARY KEY,
  org_path    TEXT COLLATE "C" NOT NULL,
  at          BIGINT NOT NULL,
  attendance  INTEGER NOT NULL,
  households  TEXT NOT NULL
);
CREATE INDEX ledger_sessions_at ON ledger_sessions (at);

CREATE TABLE ledger_care (
  building       TEXT COLLATE "C" NOT NULL,
  household      TEXT NOT NULL,
  flagged_at     BIGINT NOT NULL,
  interval_days  INTEGER NOT NULL,
  active         INTEGER NOT NULL,
  PRIMARY KEY (building, household)
);

CREATE TABLE ledger_activity (
  month      TEXT COLLATE "C" NOT NULL,
  org_path   TEXT COLLATE "C" NOT NULL,
  author_id  TEXT COLLATE "C" NOT NULL,
  first_at   BIGINT NOT NULL,
  PRIMARY KEY (month, org_path, author_id)
);

CREATE TABLE ledger_state (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  stale  INTEGER NOT NULL
);
INSERT INTO ledger_state (id, stale) SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM records) THEN 1 ELSE 0 END;
