-- +goose Up
-- Criteria sets are files the office writes (docs/criteria.md §8). The file is the truth: it is
-- stored as written (source) and parsed by evaluate; the criteria_set and criterion rows are an
-- index of it for SQL readers. An empty source means the set embedded in ntm (langson-2021).
ALTER TABLE criteria_set
    ADD COLUMN basis       text NOT NULL DEFAULT '',   -- the legal basis in one line
    ADD COLUMN source      text NOT NULL DEFAULT '',   -- the YAML file as imported; '' = built in
    ADD COLUMN sha256      text NOT NULL DEFAULT '',
    ADD COLUMN imported_at timestamptz NOT NULL DEFAULT now();

UPDATE criteria_set
SET basis = 'Quyết định số 1127/QĐ-BTTTT ngày 22/6/2022 của Bộ Thông tin và Truyền thông; Quyết định số 1494/QĐ-UBND ngày 14/9/2022 của UBND tỉnh Lạng Sơn; Hướng dẫn của Sở Thông tin và Truyền thông Lạng Sơn thực hiện tiêu chí 8 xã NTM kiểu mẫu (tháng 10/2022)'
WHERE key = 'langson-2021';

-- Every version of a set an evaluation used, by content: re-importing a set under the same key
-- never changes what a stored evaluation was computed with (evaluate.SetOf reads it back).
CREATE TABLE criteria_set_source (
    sha256    text PRIMARY KEY,
    set_key   text NOT NULL,
    source    text NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now()
);

-- What an evaluation saw: the set version, and the loaded batches its snapshot counted.
ALTER TABLE evaluation
    ADD COLUMN set_sha256 text REFERENCES criteria_set_source (sha256),
    ADD COLUMN batch_ids  bigint[];

-- Commune groups (1, 2, 3: Decision 51/2025/QĐ-TTg), versioned like the units: a row holds from
-- valid_from to valid_to (inclusive; NULL = open) for one unit code.
CREATE TABLE commune_group (
    unit_code     text NOT NULL,
    commune_group smallint NOT NULL CHECK (commune_group BETWEEN 1 AND 3),
    valid_from    date NOT NULL,
    valid_to      date,
    source        text NOT NULL DEFAULT '',  -- the file it came from
    imported_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit_code, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

-- +goose Down
DROP TABLE commune_group;
ALTER TABLE evaluation DROP COLUMN set_sha256, DROP COLUMN batch_ids;
DROP TABLE criteria_set_source;
ALTER TABLE criteria_set DROP COLUMN basis, DROP COLUMN source, DROP COLUMN sha256, DROP COLUMN imported_at;
