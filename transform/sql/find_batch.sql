-- The batch that already holds these bytes for this dataset (a revoked one counts: the
-- office revoked it on purpose, loading it again would silently undo that).
SELECT id
FROM batch
WHERE dataset = $1 AND sha256 = $2 AND status IN ('loaded', 'revoked')
ORDER BY id
LIMIT 1
