-- The batch that already holds these bytes for this dataset, and the batch that replaced it if
-- it was replaced. A revoked one counts (the office revoked it on purpose: loading it again would
-- silently undo that), and so does a replaced one (its data was superseded on purpose). A reload
-- of batch $3 (0 for an ordinary load) may bring the same bytes again: it looks only at batches
-- that count or were revoked, other than $3.
SELECT id, replaced_by
FROM batch
WHERE dataset = $1 AND sha256 = $2 AND id <> $3
  AND (status IN ('loaded', 'revoked') OR status = 'replaced' AND $3 = 0)
ORDER BY status = 'replaced', id
LIMIT 1
