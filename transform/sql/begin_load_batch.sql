-- The batch of an ordinary load, in one round trip: the batch that already holds these bytes for
-- this dataset (find_batch.sql with no reload), else a new batch (insert_load_batch.sql, status
-- 'loaded'), and the unit structure's generation as this transaction sees it (unitcache.go).
-- Exactly one of new_id and found_id is set.
WITH found AS (
    SELECT id, replaced_by
    FROM batch
    WHERE dataset = $1 AND sha256 = $5
      AND status IN ('loaded', 'revoked', 'replaced')
    ORDER BY status = 'replaced', id
    LIMIT 1
), ins AS (
    INSERT INTO batch (dataset, source_uri, file_name, size_bytes, sha256, as_of, status)
    SELECT $1, $2, $3, $4, $5, $6, 'loaded'
    WHERE NOT EXISTS (SELECT FROM found)
    RETURNING id
)
SELECT (SELECT id FROM ins) AS new_id, (SELECT id FROM found) AS found_id,
       (SELECT replaced_by FROM found) AS replaced_by, (SELECT n FROM unit_generation) AS generation
