-- Revoke a loaded batch: its facts stop counting, nothing is deleted.
UPDATE batch
SET status = 'revoked', revoked_at = now(), revoked_by = $2
WHERE id = $1 AND status = 'loaded' AND dataset <> 'units'
RETURNING id
