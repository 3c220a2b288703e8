-- +goose Up
-- VNeID (electronic identification) accounts per commune at a date: citizens eligible for an
-- account and accounts activated. Declared in package dataset (VNeIDTable); a test compares the
-- two. A snapshot per unit and day, as fact_dvc_procedures.
CREATE TABLE fact_vneid (
    batch_id   bigint NOT NULL REFERENCES batch (id),
    sheet      text NOT NULL DEFAULT '',
    row_no     integer NOT NULL,
    unit_code  text NOT NULL,
    as_of      date NOT NULL,
    citizens   integer NOT NULL,   -- citizens eligible for an account
    activated  integer NOT NULL    -- of those, accounts activated
);
CREATE INDEX fact_vneid_key_idx ON fact_vneid (unit_code, as_of);

-- +goose Down
DROP TABLE fact_vneid;
