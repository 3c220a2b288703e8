-- +goose Up

-- Deliveries of report workbooks (docs/reports.md): one row per workbook (recipient + file hash) and
-- destination — an e-mail address, or the output folder (channel 'folder', address = the folder).
-- The unique key is what makes "never sent twice" hold: a row that reached 'sent' is never sent
-- again; a 'failed' one is retried by the next delivery run (attempts counts them), until it is
-- sent or a newer workbook of the same recipient and period replaces it ('superseded').
CREATE TABLE delivery (
    id               bigserial PRIMARY KEY,
    recipient        text NOT NULL,                 -- the recipient unit code
    channel          text NOT NULL CHECK (channel IN ('folder', 'email')),
    address          text NOT NULL,                 -- e-mail address, or the folder path
    period           text NOT NULL,                 -- YYYY-MM
    file_path        text NOT NULL,
    file_sha256      text NOT NULL,
    outcome          text NOT NULL CHECK (outcome IN ('pending', 'sent', 'failed', 'superseded')),
    error            text NOT NULL DEFAULT '',      -- the last failure, for the office
    attempts         integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_attempt_at  timestamptz,
    sent_at          timestamptz,
    UNIQUE (recipient, address, file_sha256)
);
CREATE INDEX delivery_open_idx ON delivery (outcome) WHERE outcome IN ('pending', 'failed');
CREATE INDEX delivery_period_idx ON delivery (period, recipient);

-- +goose Down
DROP TABLE delivery;
