-- The newest batches first.
SELECT id, dataset, source_uri, file_name, size_bytes, sha256, received_at, as_of,
       rows_read, rows_loaded, rows_rejected, rows_skipped, status, message, revoked_at, coalesce(revoked_by, ''),
       replaced_by, replaced_at
FROM batch
ORDER BY id DESC
LIMIT $1
