-- +goose Up

-- A counter bumped by every statement that changes the unit structure (units, successor links,
-- aliases). The loader builds its unit index once and keeps it while the counter stays the same:
-- a national run of 500 small files reads and indexes the unit table once, not 500 times
-- (docs/performance.md). One row; statement triggers, so a COPY of 100,000 units bumps it once.
-- The values come from a sequence, which never hands out a value twice: a transaction that changed
-- the structure and was rolled back leaves a generation nobody will see again, so an index built
-- inside it (LoadFileTx in the caller's transaction) can never be taken for a later structure.
CREATE SEQUENCE unit_generation_seq;
CREATE TABLE unit_generation (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    n  bigint NOT NULL
);
INSERT INTO unit_generation (id, n) VALUES (true, nextval('unit_generation_seq'));

-- +goose StatementBegin
CREATE FUNCTION bump_unit_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_generation SET n = nextval('unit_generation_seq');
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER unit_generation_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit
    FOR EACH STATEMENT EXECUTE FUNCTION bump_unit_generation();
CREATE TRIGGER unit_generation_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_successor
    FOR EACH STATEMENT EXECUTE FUNCTION bump_unit_generation();
CREATE TRIGGER unit_generation_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_alias
    FOR EACH STATEMENT EXECUTE FUNCTION bump_unit_generation();

-- +goose Down
DROP TRIGGER unit_generation_bump ON unit_alias;
DROP TRIGGER unit_generation_bump ON unit_successor;
DROP TRIGGER unit_generation_bump ON unit;
DROP FUNCTION bump_unit_generation();
DROP TABLE unit_generation;
DROP SEQUENCE unit_generation_seq;
