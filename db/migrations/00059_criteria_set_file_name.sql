-- +goose Up
-- The name of the file each version of a criteria set was imported from (ntm criteria import),
-- so ntm results can say which file its results were computed with. '' = the set built into
-- ntm, or a version imported before the name was kept.
ALTER TABLE criteria_set_source ADD COLUMN file_name text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE criteria_set_source DROP COLUMN file_name;
