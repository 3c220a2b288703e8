-- +goose Up

-- Administrative units, versioned: a unit row holds from valid_from to valid_to (inclusive; NULL = open).
-- Villages get province-assigned codes "<commune code>-<NNN>".
CREATE TABLE unit (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL,
    level       text NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
    kind        text NOT NULL DEFAULT '',   -- Tỉnh, Huyện, Thành phố, Xã, Phường, Thị trấn, Thôn, Tổ dân phố …
    name        text NOT NULL,              -- as published, e.g. "Xã Chi Lăng"
    folded_name text NOT NULL,              -- name folded for matching (prefix removed), e.g. "chi lang"
    parent_code text,                       -- NULL for the province
    valid_from  date NOT NULL DEFAULT DATE '1900-01-01',
    valid_to    date,
    batch_id    bigint,
    UNIQUE (code, valid_from)
);
CREATE INDEX unit_parent_idx ON unit (parent_code);
CREATE INDEX unit_folded_idx ON unit (folded_name);

-- Other names a unit is known by (old names, common misspellings). The office can add rows.
CREATE TABLE unit_alias (
    id          bigserial PRIMARY KEY,
    folded_name text NOT NULL,
    unit_code   text NOT NULL,
    parent_code text,                       -- resolve the alias only within this parent (NULL: anywhere)
    note        text NOT NULL DEFAULT '',
    UNIQUE (folded_name, unit_code)
);

-- One batch per loaded file. The same bytes load once per dataset (unless the earlier load was rejected whole).
CREATE TABLE batch (
    id            bigserial PRIMARY KEY,
    dataset       text NOT NULL,
    source_uri    text NOT NULL,
    file_name     text NOT NULL DEFAULT '',
    size_bytes    bigint NOT NULL DEFAULT 0,
    sha256        text NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    as_of         date,
    rows_read     integer NOT NULL DEFAULT 0,
    rows_loaded   integer NOT NULL DEFAULT 0,
    rows_rejected integer NOT NULL DEFAULT 0,
    status        text NOT NULL CHECK (status IN ('loaded', 'rejected', 'revoked')),
    message       text NOT NULL DEFAULT '',   -- why a file was rejected whole
    revoked_at    timestamptz,
    revoked_by    text
);
CREATE UNIQUE INDEX batch_once_idx ON batch (dataset, sha256) WHERE status <> 'rejected';

-- Rows that were not loaded, with the reason shown to the office.
CREATE TABLE rejected_row (
    batch_id  bigint NOT NULL REFERENCES batch (id),
    sheet     text NOT NULL DEFAULT '',
    row_no    integer NOT NULL,
    col       text NOT NULL DEFAULT '',
    reason    text NOT NULL,
    raw       text NOT NULL DEFAULT ''
);
CREATE INDEX rejected_row_batch_idx ON rejected_row (batch_id);

-- Facts: append-only, each row pointing at its batch and source row.
CREATE TABLE fact_vpostcode (
    batch_id          bigint NOT NULL REFERENCES batch (id),
    sheet             text NOT NULL DEFAULT '',
    row_no            integer NOT NULL,
    village_code      text NOT NULL,
    as_of             date NOT NULL,
    households_total  integer NOT NULL,
    households_with   integer NOT NULL,
    orgs_total        integer NOT NULL,
    orgs_with         integer NOT NULL
);
CREATE INDEX fact_vpostcode_key_idx ON fact_vpostcode (village_code, as_of);

CREATE TABLE fact_village_survey (
    batch_id       bigint NOT NULL REFERENCES batch (id),
    sheet          text NOT NULL DEFAULT '',
    row_no         integer NOT NULL,
    village_code   text NOT NULL,
    as_of          date NOT NULL,
    team           boolean,             -- NULL = unknown (blank), never "no"
    team_decision  text NOT NULL DEFAULT '',
    platform       boolean,
    platform_name  text NOT NULL DEFAULT '',
    wifi           boolean,
    models         integer,             -- NULL = unknown
    model_fields   text NOT NULL DEFAULT ''
);
CREATE INDEX fact_village_survey_key_idx ON fact_village_survey (village_code, as_of);

CREATE TABLE fact_ocop_product (
    batch_id      bigint NOT NULL REFERENCES batch (id),
    sheet         text NOT NULL DEFAULT '',
    row_no        integer NOT NULL,
    product_key   text NOT NULL,        -- product code, else folded name|owner|commune
    product_code  text NOT NULL DEFAULT '',
    name          text NOT NULL,
    folded_name   text NOT NULL,
    stars         smallint NOT NULL CHECK (stars BETWEEN 3 AND 5),
    category      text NOT NULL DEFAULT '',
    owner         text NOT NULL DEFAULT '',
    folded_owner  text NOT NULL DEFAULT '',
    commune_code  text NOT NULL,
    village_code  text,
    decision_no   text NOT NULL DEFAULT '',
    certified_on  date,
    expires_on    date
);
CREATE INDEX fact_ocop_product_key_idx ON fact_ocop_product (product_key);

CREATE TABLE fact_ocop_listing (
    batch_id      bigint NOT NULL REFERENCES batch (id),
    sheet         text NOT NULL DEFAULT '',
    row_no        integer NOT NULL,
    product_code  text NOT NULL DEFAULT '',
    product_name  text NOT NULL DEFAULT '',
    folded_name   text NOT NULL DEFAULT '',
    folded_owner  text NOT NULL DEFAULT '',
    platform      text NOT NULL,        -- postmart, voso, shopee, lazada, tiki, sendo, tiktok, province, other
    url           text NOT NULL DEFAULT '',
    listed_on     date,
    active        boolean NOT NULL DEFAULT true
);

CREATE TABLE fact_dvc_procedures (
    batch_id        bigint NOT NULL REFERENCES batch (id),
    sheet           text NOT NULL DEFAULT '',
    row_no          integer NOT NULL,
    unit_code       text NOT NULL,
    as_of           date NOT NULL,
    total           integer,              -- all procedures, when given
    eligible        integer NOT NULL,     -- eligible for online service
    full_online     integer NOT NULL,     -- toàn trình / level 4
    partial_online  integer NOT NULL      -- một phần / level 3
);
CREATE INDEX fact_dvc_procedures_key_idx ON fact_dvc_procedures (unit_code, as_of);

CREATE TABLE fact_dvc_dossiers (
    batch_id        bigint NOT NULL REFERENCES batch (id),
    sheet           text NOT NULL DEFAULT '',
    row_no          integer NOT NULL,
    unit_code       text NOT NULL,
    period_from     date NOT NULL,
    period_to       date NOT NULL,
    period_label    text NOT NULL DEFAULT '',
    received        integer NOT NULL,
    received_online integer,
    full_online     integer NOT NULL
);
CREATE INDEX fact_dvc_dossiers_key_idx ON fact_dvc_dossiers (unit_code, period_from, period_to);

-- Up to a million rows a year per province. No foreign key to batch: checked row by row it more than
-- doubled the time of COPY (10.2 s against 4.3 s for 320,000 rows, docs/performance.md); facts are
-- only written by the loader in the transaction that inserts their batch, and batches are never deleted.
CREATE TABLE fact_dvc_dossier_record (
    batch_id      bigint NOT NULL,
    sheet         text NOT NULL DEFAULT '',
    row_no        integer NOT NULL,
    dossier_id    text NOT NULL,
    unit_code     text NOT NULL,
    received_on   date NOT NULL,
    channel       text NOT NULL CHECK (channel IN ('online', 'in_person', 'post', 'unknown')),
    full_process  boolean NOT NULL
);
CREATE INDEX fact_dvc_dossier_record_key_idx ON fact_dvc_dossier_record (unit_code, received_on);

-- Criteria sets are data: the built-in one is Lạng Sơn's 2021–2025 set.
CREATE TABLE criteria_set (
    key              text PRIMARY KEY,
    name             text NOT NULL,
    valid_from       date NOT NULL,
    valid_to         date,
    stale_months     integer NOT NULL DEFAULT 12,
    ocop_locality    text NOT NULL DEFAULT 'commune' CHECK (ocop_locality IN ('commune', 'village')),
    dossier_window   text NOT NULL DEFAULT 'year' CHECK (dossier_window IN ('year', 'month', 'quarter'))
);

CREATE TABLE criterion (
    set_key       text NOT NULL REFERENCES criteria_set (key),
    key           text NOT NULL,
    name          text NOT NULL,          -- Vietnamese
    level         text NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
    threshold_num bigint NOT NULL,        -- threshold as a fraction num/den, compared in integers
    threshold_den bigint NOT NULL DEFAULT 1,
    description   text NOT NULL DEFAULT '',
    position      integer NOT NULL,
    PRIMARY KEY (set_key, key)
);

-- One evaluation of a period; results of the newest evaluation of a period are the current ones.
CREATE TABLE evaluation (
    id           bigserial PRIMARY KEY,
    period       text NOT NULL,
    set_key      text NOT NULL REFERENCES criteria_set (key),
    evaluated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evaluation_period_idx ON evaluation (period, id);

CREATE TABLE result (
    evaluation_id bigint NOT NULL REFERENCES evaluation (id),
    unit_code     text NOT NULL,
    unit_name     text NOT NULL,
    level         text NOT NULL,
    parent_code   text,
    criterion     text NOT NULL,
    status        text NOT NULL CHECK (status IN ('met', 'not_met', 'no_data')),
    value_num     bigint,                 -- value = value_num / value_den; both NULL = no value
    value_den     bigint,
    threshold_num bigint NOT NULL,
    threshold_den bigint NOT NULL,
    explanation   text NOT NULL DEFAULT '',
    detail        jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (evaluation_id, unit_code, criterion)
);
CREATE INDEX result_eval_parent_idx ON result (evaluation_id, level, parent_code);

-- +goose Down
DROP TABLE result, evaluation, criterion, criteria_set, fact_dvc_dossier_record, fact_dvc_dossiers,
    fact_dvc_procedures, fact_ocop_listing, fact_ocop_product, fact_village_survey, fact_vpostcode,
    rejected_row, batch, unit_alias, unit;
