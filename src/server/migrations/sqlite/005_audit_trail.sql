-- 005: the audit trail (src/shared/audit.ts): who exported, revealed, erased or changed an
-- account, when, where and to what. No personal data in it. Kept at least three years.

CREATE TABLE audit_trail (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  at        TEXT NOT NULL,      -- ISO, server clock
  actor_id  TEXT,               -- user id; NULL for the command line
  action    TEXT NOT NULL,
  scope     TEXT NOT NULL,      -- org path the action concerns
  target    TEXT,               -- user id, household key, file name
  detail    TEXT                -- JSON object of flat facts
);
CREATE INDEX audit_trail_scope ON audit_trail (scope, id);
