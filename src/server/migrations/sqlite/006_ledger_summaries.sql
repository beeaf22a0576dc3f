-- 006: the ledger's per-item summaries (src/server/ledger/summaries.ts), kept current in
-- the transaction of every append, so a monthly ledger reads one month's items instead of
-- folding the whole log. Each row is what the shared folds make of one visit, feedback
-- item, reading session or care flag with every record that amends it (src/shared/ledger.ts
-- LedgerVisit, LedgerFeedback, LedgerSession, LedgerCare); instants are trusted epoch ms.
-- A database that already holds records is rebuilt from its log at the next start
-- (ledger_state.stale = 1).

CREATE TABLE ledger_visits (
  id         TEXT PRIMARY KEY,
  org_path   TEXT NOT NULL,      -- the building
  household  TEXT NOT NULL,
  at         INTEGER NOT NULL,
  outcome    TEXT NOT NULL,
  policy     INTEGER NOT NULL,   -- 1: tagged 政策宣传
  covering   INTEGER NOT NULL    -- 1: counts as the household met
) WITHOUT ROWID;
CREATE INDEX ledger_visits_at ON ledger_visits (at);
CREATE INDEX ledger_visits_household ON ledger_visits (org_path, household, at);

CREATE TABLE ledger_feedback (
  id              TEXT PRIMARY KEY,
  org_path        TEXT NOT NULL,
  raised_at       INTEGER NOT NULL,
  resolved_at     INTEGER,          -- while resolved
  resolved_level  TEXT,             -- while resolved
  held_level      TEXT NOT NULL,
  urgency         TEXT NOT NULL,
  reopened        INTEGER NOT NULL,
  reported_back   INTEGER NOT NULL,
  satisfied       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ledger_feedback_raised ON ledger_feedback (raised_at);

CREATE TABLE ledger_sessions (
  id          TEXT PRIMARY KEY,
  org_path    TEXT NOT NULL,        -- the reading point
  at          INTEGER NOT NULL,
  attendance  INTEGER NOT NULL,
  households  TEXT NOT NULL         -- JSON array of household refs
) WITHOUT ROWID;
CREATE INDEX ledger_sessions_at ON ledger_sessions (at);

CREATE TABLE ledger_care (
  building       TEXT NOT NULL,
  household      TEXT NOT NULL,
  flagged_at     INTEGER NOT NULL,
  interval_days  INTEGER NOT NULL,
  active         INTEGER NOT NULL,
  PRIMARY KEY (building, household)
) WITHOUT ROWID;

-- who recorded where in which Shanghai month (leaders with no record)
CREATE TABLE ledger_activity (
  month      TEXT NOT NULL,   -- YYYY-MM
  org_path   TEXT NOT NULL,
  author_id  TEXT NOT NULL,
  first_at   INTEGER NOT NULL,
  PRIMARY KEY (month, org_path, author_id)
) WITHOUT ROWID;

CREATE TABLE ledger_state (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  stale  INTEGER NOT NULL
);
INSERT INTO ledger_state (id, stale) SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM records) THEN 1 ELSE 0 END;
