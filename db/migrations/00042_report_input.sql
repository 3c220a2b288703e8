-- +goose Up

-- The inputs each workbook was last written from (reports/inputs.go): a workbook whose input
-- key and file are unchanged is not rebuilt. Keyed by the file's absolute path.
CREATE TABLE report_input (
    path          text PRIMARY KEY,
    period        text NOT NULL,
    recipient     text NOT NULL,
    inputs_sha256 text NOT NULL,
    file_sha256   text NOT NULL,
    written_at    timestamptz NOT NULL
);

-- +goose Down
DROP TABLE report_input;
