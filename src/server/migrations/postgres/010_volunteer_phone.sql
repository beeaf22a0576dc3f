-- 010 (PostgreSQL; SQLite's 011): the volunteer register by phone. A volunteer account acts
-- as the registered volunteers whose phone is its own (src/shared/volunteers.ts
-- volunteerIdsOf); each push, pull and address request of such an account finds them
-- through this index, then the rest of each registration's chain and its services through
-- records_target (a later `volunteer` record and a `volunteer.service` keep the volunteer's
-- id in target_id). Partial: only `volunteer` records carry a phone worth indexing.

CREATE INDEX records_volunteer_phone ON records (((body::jsonb) ->> 'phone')) WHERE type = 'volunteer';
