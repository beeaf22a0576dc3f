-- 012: the ledger's monthly tallies per place (src/server/ledger/summaries.ts), kept in the
-- transaction of every append beside the per-item summaries of 006, so a street's or the
-- district's month reads a few thousand tally rows instead of every visit and open item;
-- and volunteers' services as contacts on the care clock (src/shared/ledger.ts LedgerService).
-- Every database that holds records is rebuilt from its log at the next start.

-- per place (a visit's building) and Shanghai month: live visits by outcome, and the
-- households with a met visit (per building, so they add up)
CREATE TABLE ledger_tallies (
  month            TEXT NOT NULL,   -- YYYY-MM
  org_path         TEXT NOT NULL,
  visits           INTEGER NOT NULL,
  visits_met       INTEGER NOT NULL,
  visits_nobody    INTEGER NOT NULL,
  visits_declined  INTEGER NOT NULL,
  publicity        INTEGER NOT NULL,
  covered          INTEGER NOT NULL,
  PRIMARY KEY (month, org_path)
) WITHOUT ROWID;

-- met visits per household and month: what the covered tally counts (rows above 0)
CREATE TABLE ledger_covered (
  month      TEXT NOT NULL,
  org_path   TEXT NOT NULL,
  household  TEXT NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (month, org_path, household)
) WITHOUT ROWID;

-- changes of feedback open (and overdue) at a month's end per place and level: the open
-- figure of month M is the sum of the rows up to M (src/shared/ledger.ts openMonths)
CREATE TABLE ledger_open (
  org_path  TEXT NOT NULL,
  level     TEXT NOT NULL,
  month     TEXT NOT NULL,
  open      INTEGER NOT NULL,
  overdue   INTEGER NOT NULL,
  PRIMARY KEY (org_path, level, month)
) WITHOUT ROWID;

-- live services at buildings, one row per household helped
CREATE TABLE ledger_services (
  id         TEXT NOT NULL,
  building   TEXT NOT NULL,
  household  TEXT NOT NULL,
  at         INTEGER NOT NULL,
  PRIMARY KEY (id, household)
) WITHOUT ROWID;
CREATE INDEX ledger_services_household ON ledger_services (building, household, at);

CREATE INDEX ledger_feedback_resolved ON ledger_feedback (resolved_at);

-- the records of the kinds an export reads whole under its scope (profiles for the visit
-- sheet, volunteers and wishes for the volunteer sheet): few, so a partial index finds
-- them without walking every visit (src/server/ledger/summaries.ts SHEET_KINDS)
CREATE INDEX records_sheet_kinds ON records (org_path, seq) WHERE type IN ('household.profile', 'volunteer', 'volunteer.team', 'volunteer.pairing', 'volunteer.service', 'wish', 'wish.event', 'wish.address');

UPDATE ledger_state SET stale = 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM records);
