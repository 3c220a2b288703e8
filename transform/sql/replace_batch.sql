-- A reload: batch $1, still loaded, becomes 'replaced' by the batch about to be inserted, whose id
-- is taken here (the foreign key is checked at commit). No row: $1 is not (or no longer) loaded.
WITH next AS (SELECT nextval(pg_get_serial_sequence('batch', 'id')) AS id)
UPDATE batch SET status = 'replaced', replaced_by = next.id, replaced_at = now()
FROM next
WHERE batch.id = $1 AND batch.status = 'loaded'
RETURNING next.id
