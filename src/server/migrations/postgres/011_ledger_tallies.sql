-- 011 (PostgreSQL): SQLite's 012, the ledger's monthly tallies per place and volunteers'
-- services as care contacts (src/server/ledger/summaries.ts). Paths COLLATE "C" so scope
-- ranges hold exactly the paths beneath. Every database that holds records is rebuilt
-- from its log at the next start.

CREATE TABLE ledger_tallies (
  month            TEXT COLLATE "C" NOT NULL,
  org_path         TEXT COLLATE "C" NOT NULL,
  visits           INTEGER NOT NULL,
  visits_met       INTEGER NOT NULL,
  visits_nobody    INTEGER NOT NULL,
  visits_declined  INTEGER NOT NULL,
  publicity        INTEGER NOT NULL,
  covered          INTEGER NOT NULL,
  PRIMARY KEY (month, org_path)
);

CREATE TABLE ledger_covered (
  month      TEXT COLLATE "C" NOT NULL,
  org_path   TEXT COLLATE "C" NOT NULL,
  household  TEXT COLLATE "C" NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (month, org_path, household)
);

CREATE TABLE ledger_open (
  org_path  TEXT COLLATE "C" NOT NULL,
  level     TEXT COLLATE "C" NOT NULL,
  month     TEXT COLLATE "C" NOT NULL,
  open      INTEGER NOT NULL,
  overdue   INTEGER NOT NULL,
  PRIMARY KEY (org_path, level, month)
);

CREATE TABLE ledger_services (
  id         TEXT COLLATE "C" NOT NULL,
  building   TEXT COLLATE "C" NOT NULL,
  household  TEXT COLLATE "C" NOT NULL,
  at         BIGINT NOT NULL,
  PRIMARY KEY (id, household)
);
CREATE INDEX ledger_services_household ON ledger_services (building, household, at);

CREATE INDEX ledger_feedback_resolved ON ledger_feedback (resolved_at);

-- the records of the kinds an export reads whole under its scope (profiles for the visit
-- sheet, volunteers and wishes for the volunteer sheet): few, so a partial index finds
-- them without walking every visit (src/server/ledger/summaries.ts SHEET_KINDS)
CREATE INDEX records_sheet_kinds ON records (org_path, seq) WHERE type IN ('household.profile', 'volunteer', 'volunteer.team', 'volunteer.pairing', 'volunteer.service', 'wish', 'wish.event', 'wish.address');

UPDATE ledger_state SET stale = 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM records);
