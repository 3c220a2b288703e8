-- A new batch of a load; counts are filled in when the load finishes (finish_batch.sql). $8 is
-- the id when it was taken beforehand (a reload, replace_batch.sql), else NULL.
INSERT INTO batch (id, dataset, source_uri, file_name, size_bytes, sha256, as_of, status)
VALUES (coalesce($8::bigint, nextval(pg_get_serial_sequence('batch', 'id'))), $1, $2, $3, $4, $5, $6, $7)
RETURNING id
