-- A file rejected whole ($1 its batch, just inserted with status 'rejected'): the rows read ($2),
-- rejected ($3) and skipped ($5), none loaded, and the reason for the office ($4).
UPDATE batch
SET rows_read = $2, rows_loaded = 0, rows_rejected = $3, rows_skipped = $5, message = $4
WHERE id = $1
