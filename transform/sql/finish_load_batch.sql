-- Row counts (skipped rows included), as-of date and notes of a loaded batch whose rows are all in.
UPDATE batch
SET rows_read = $2, rows_loaded = $3, rows_rejected = $4, as_of = coalesce($5, as_of), message = $6, rows_skipped = $7
WHERE id = $1
