-- 003 (PostgreSQL; SQLite's 004): records handed over by their author (交给社区处理) and what
-- community staff made of them. One row per record id. The record itself stays in
-- `quarantine` (qid); a placed one is also appended to `records` under the same id.

CREATE TABLE handovers (
  record_id    TEXT COLLATE "C" PRIMARY KEY,
  qid          BIGINT NOT NULL REFERENCES quarantine (qid),
  author_id    TEXT NOT NULL,
  community    TEXT COLLATE "C" NOT NULL,  -- org path of the community that handles it
  handed_at    TEXT NOT NULL,              -- ISO, server clock
  state        TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'placed', 'dismissed')),
  decided_by   TEXT,                       -- user id of the staff who placed or dismissed it
  decided_at   TEXT,
  placed_path  TEXT,                       -- where it was placed
  reason       TEXT                        -- why it was dismissed
);
CREATE INDEX handovers_waiting ON handovers (state, community);
