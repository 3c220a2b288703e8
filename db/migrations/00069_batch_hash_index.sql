-- +goose Up
-- Every load looks up its file's bytes among earlier batches twice (transform/sql/find_batch.sql and
-- begin_load_batch.sql), replaced batches included, which the partial unique index batch_once_idx
-- does not cover: both scanned the whole table, 33 ms a look-up with 100,000 batches (a year of
-- nightly national runs). This index answers them from the hash.
CREATE INDEX batch_hash_idx ON batch (dataset, sha256);

-- +goose Down
DROP INDEX batch_hash_idx;
