-- +goose Up

-- Versions of one code never overlap (docs/structure-changes.md §1). Earlier imports could
-- leave two open versions of a code side by side (a second file with another valid_from):
-- each version now ends the day before the next one starts, as those imports meant.
UPDATE unit u
SET valid_to = n.next_from - 1
FROM (
    SELECT id, lead(valid_from) OVER (PARTITION BY code ORDER BY valid_from) AS next_from
    FROM unit
) n
WHERE n.id = u.id AND n.next_from IS NOT NULL AND (u.valid_to IS NULL OR u.valid_to >= n.next_from);

ALTER TABLE unit ADD CONSTRAINT unit_valid_range CHECK (valid_to IS NULL OR valid_to >= valid_from);

-- btree_gist is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE unit ADD CONSTRAINT unit_versions_no_overlap
    EXCLUDE USING gist (code WITH =, daterange(valid_from, valid_to, '[]') WITH &&)
    DEFERRABLE INITIALLY DEFERRED;

-- Successor links: the version of old_code in force on from_date − 1 continues, wholly (full)
-- or in part (partial: a unit split between several), in the version of new_code in force on
-- from_date. A link from a code to itself is a continuation (a rename, a move, a change of
-- kind). Links the office removes are kept, marked removed, for the record.
CREATE TABLE unit_successor (
    id          bigserial PRIMARY KEY,
    old_code    text NOT NULL,
    new_code    text NOT NULL,
    from_date   date NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('full', 'partial')),
    source      text NOT NULL CHECK (source IN ('continuation', 'previous_codes', 'merged_from_codes', 'mapping', 'office')),
    batch_id    bigint REFERENCES batch (id),
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    note        text NOT NULL DEFAULT '',
    removed_at  timestamptz,
    removed_by  text
);
CREATE UNIQUE INDEX unit_successor_once_idx ON unit_successor (old_code, new_code, from_date) WHERE removed_at IS NULL;
CREATE INDEX unit_successor_new_idx ON unit_successor (new_code, from_date);

-- Adjacent versions already stored continue each other (the rule imports follow from now on).
INSERT INTO unit_successor (old_code, new_code, from_date, kind, source, note)
SELECT a.code, a.code, b.valid_from, 'full', 'continuation', 'migration 00008'
FROM unit a JOIN unit b ON b.code = a.code AND b.valid_from = a.valid_to + 1;

-- Aliases the office manages: the name as typed, who added it and when.
ALTER TABLE unit_alias ADD COLUMN name text NOT NULL DEFAULT '';
ALTER TABLE unit_alias ADD COLUMN created_by text NOT NULL DEFAULT '';
ALTER TABLE unit_alias ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();

-- +goose Down
ALTER TABLE unit_alias DROP COLUMN created_at, DROP COLUMN created_by, DROP COLUMN name;
DROP TABLE unit_successor;
ALTER TABLE unit DROP CONSTRAINT unit_versions_no_overlap, DROP CONSTRAINT unit_valid_range;
