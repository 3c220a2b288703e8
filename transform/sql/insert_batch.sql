-- A new batch; counts are filled in when the load finishes (finish_batch.sql).
INSERT INTO batch (dataset, source_uri, file_name, size_bytes, sha256, as_of, status)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id
