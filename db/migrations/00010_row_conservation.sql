-- +goose Up
-- Every row of a file is accounted for: rows read = rows loaded + rows rejected + rows skipped as
-- not data (docs/datasets.md, "Every row accounted for").
ALTER TABLE batch ADD COLUMN rows_skipped integer NOT NULL DEFAULT 0;

-- A batch re-loaded with `ntm ingest --reload N` is 'replaced': its facts stop counting (every
-- reader of facts takes status 'loaded' only), nothing is deleted, and it points at the batch that
-- replaced it. The same bytes may then load again, so "load once" only holds among batches that
-- count or were revoked on purpose.
-- (Deferred: the old batch is marked before the new one is inserted with the same bytes.)
ALTER TABLE batch ADD COLUMN replaced_by bigint REFERENCES batch (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE batch ADD COLUMN replaced_at timestamptz;
ALTER TABLE batch DROP CONSTRAINT batch_status_check;
ALTER TABLE batch ADD CONSTRAINT batch_status_check CHECK (status IN ('loaded', 'rejected', 'revoked', 'replaced'));
ALTER TABLE batch ADD CONSTRAINT batch_replaced_check CHECK ((status = 'replaced') = (replaced_by IS NOT NULL));
DROP INDEX batch_once_idx;
CREATE UNIQUE INDEX batch_once_idx ON batch (dataset, sha256) WHERE status IN ('loaded', 'revoked');

-- A rejected row keeps its cells as read, so that the rows a commune must correct can be sent back
-- in the file's own layout (transform.WriteRejects). NULL for rows rejected before this column.
ALTER TABLE rejected_row ADD COLUMN cells text[];

-- The rows read that are not data, in runs of consecutive rows with the same reason.
CREATE TABLE skipped_row (
    batch_id  bigint NOT NULL REFERENCES batch (id),
    sheet     text NOT NULL DEFAULT '',
    row_from  integer NOT NULL,
    row_to    integer NOT NULL,
    rows      integer NOT NULL,           -- rows read in the run (rows absent from a sheet are not read)
    reason    text NOT NULL,              -- transform.SkipReason: title, header, column_numbers, repeated_header,
                                          -- group, subtotal, signature, blank, no_data, unit_only
    raw       text NOT NULL DEFAULT '',   -- the first row's cells, joined with " | "
    CHECK (row_to >= row_from)
);
CREATE INDEX skipped_row_batch_idx ON skipped_row (batch_id);

-- The sheets of a batch's file and how each was read: as a table (with its header, for the
-- rejected-rows workbook), or not read and why.
CREATE TABLE batch_sheet (
    batch_id      bigint NOT NULL REFERENCES batch (id),
    position      integer NOT NULL,           -- the sheet's place in the file, from 0
    sheet         text NOT NULL DEFAULT '',   -- '' for a CSV
    read_as       text NOT NULL CHECK (read_as IN ('table', 'hidden', 'very_hidden', 'no_header', 'not_matched')),
    note          text NOT NULL DEFAULT '',   -- why a sheet was not read (Vietnamese)
    header_top    integer,
    header_bottom integer,
    columns       text[],                     -- the effective header of each cell index
    fields        text[],                     -- the field read from each cell index ('' = none)
    PRIMARY KEY (batch_id, position)
);

-- +goose Down
DROP TABLE batch_sheet, skipped_row;
ALTER TABLE rejected_row DROP COLUMN cells;
DROP INDEX batch_once_idx;
CREATE UNIQUE INDEX batch_once_idx ON batch (dataset, sha256) WHERE status <> 'rejected';
ALTER TABLE batch DROP CONSTRAINT batch_replaced_check;
ALTER TABLE batch DROP CONSTRAINT batch_status_check;
ALTER TABLE batch ADD CONSTRAINT batch_status_check CHECK (status IN ('loaded', 'rejected', 'revoked'));
ALTER TABLE batch DROP COLUMN replaced_at, DROP COLUMN replaced_by, DROP COLUMN rows_skipped;
