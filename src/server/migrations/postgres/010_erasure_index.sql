-- 010 (PostgreSQL; SQLite's 011): the erasures at a building, found without reading its
-- history. Every append group asks whether its buildings have a household.erasure (a
-- record made before one is stored redacted); through records_scope that read walked
-- every record of those buildings. Erasures are rare, so this partial index stays tiny.

CREATE INDEX records_erasures ON records (org_path, seq) WHERE type = 'household.erasure';
