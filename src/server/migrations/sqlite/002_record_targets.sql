-- 002: the record another record refers to (a correction's or void's target, a
-- feedback event's feedback), indexed so checks can fold a target with its amendments.

ALTER TABLE records ADD COLUMN target_id TEXT;
UPDATE records SET target_id = json_extract(body, '$.target') WHERE type IN ('correction', 'void');
UPDATE records SET target_id = json_extract(body, '$.feedback') WHERE type = 'feedback.event';
CREATE INDEX records_target ON records (target_id, seq) WHERE target_id IS NOT NULL;
