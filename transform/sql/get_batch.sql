-- One batch.
SELECT id, dataset, source_uri, file_name, size_bytes, sha256, received_at, as_of,
       rows_read, rows_loaded, rows_rejected, rows_skipped, status, message, revoked_at, coalesce(revoked_by, ''),
       replaced_by, replaced_at
FROM batch
WHERE id = $1
