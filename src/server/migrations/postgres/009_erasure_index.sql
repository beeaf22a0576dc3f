-- 009: every push asks whether its places have an erasure (records made before an erasure and
-- sent after it are stored redacted). Erasures are rare, so a partial index holds only them.

CREATE INDEX records_erasures ON records (org_path, seq) WHERE type = 'household.erasure';
