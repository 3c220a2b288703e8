-- +goose Up

-- An upload may re-load a batch (the console's "Nạp lại" on a file's page): the batch it
-- replaces and the reason the office gave, recorded with the upload and, once loaded, as a
-- 'batch_reload' office action on the replaced batch.
ALTER TABLE console_upload
    ADD COLUMN replace_batch bigint REFERENCES batch (id),
    ADD COLUMN reason text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE console_upload DROP COLUMN replace_batch, DROP COLUMN reason;
