-- +goose Up
-- The rows a load writes in bulk (facts, rejected rows, skipped rows) point at their batch. The
-- foreign keys to batch were checked row by row: every COPY row fired a trigger that looked the
-- batch up and locked it. The same rule is now checked once per statement (docs/performance.md,
-- "Small files"):
--
-- * inserting or updating rows: the batches the statement's rows name are locked FOR KEY SHARE, as
--   the foreign key did (a batch cannot be deleted under a load that is writing into it), and the
--   statement fails with SQLSTATE 23503 when one of them does not exist;
-- * deleting a batch deletes its facts, rejected rows, skipped rows and sheets in the same
--   statement (the loader never deletes a batch; one deleted by hand leaves no orphan rows). It is
--   still refused while a run, a console upload, a successor link or a replacing batch names it;
-- * a batch's id never changes.
--
-- The batch of an ordinary load is inserted in the same transaction as its rows
-- (transform/sql/begin_load_batch.sql), so the lock costs nothing there.

-- +goose StatementBegin
CREATE FUNCTION batch_rows_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids   bigint[];
    found integer;
BEGIN
    SELECT array_agg(DISTINCT batch_id) INTO ids FROM new_rows;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM FROM batch WHERE id = ANY (ids) FOR KEY SHARE;
    GET DIAGNOSTICS found = ROW_COUNT;
    IF found < cardinality(ids) THEN
        RAISE EXCEPTION 'insert or update on table "%" violates the batch rule: batch % does not exist', TG_TABLE_NAME,
            (SELECT min(i) FROM unnest(ids) AS i WHERE NOT EXISTS (SELECT FROM batch WHERE id = i))
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, COLUMN = 'batch_id';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION batch_delete_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    SELECT array_agg(id) INTO ids FROM old_rows;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    DELETE FROM fact_vpostcode WHERE batch_id = ANY (ids);
    DELETE FROM fact_village_survey WHERE batch_id = ANY (ids);
    DELETE FROM fact_ocop_product WHERE batch_id = ANY (ids);
    DELETE FROM fact_ocop_listing WHERE batch_id = ANY (ids);
    DELETE FROM fact_dvc_procedures WHERE batch_id = ANY (ids);
    DELETE FROM fact_dvc_dossiers WHERE batch_id = ANY (ids);
    DELETE FROM fact_dvc_dossier_record WHERE batch_id = ANY (ids);
    DELETE FROM fact_vneid WHERE batch_id = ANY (ids);
    DELETE FROM rejected_row WHERE batch_id = ANY (ids);
    DELETE FROM skipped_row WHERE batch_id = ANY (ids);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION batch_id_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the id of batch % cannot change', OLD.id USING ERRCODE = 'foreign_key_violation';
END $$;
-- +goose StatementEnd

CREATE TRIGGER batch_delete_rows AFTER DELETE ON batch
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_delete_rows();
CREATE TRIGGER batch_id_fixed BEFORE UPDATE OF id ON batch
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION batch_id_fixed();

ALTER TABLE fact_vpostcode DROP CONSTRAINT fact_vpostcode_batch_id_fkey;
ALTER TABLE fact_village_survey DROP CONSTRAINT fact_village_survey_batch_id_fkey;
ALTER TABLE fact_ocop_product DROP CONSTRAINT fact_ocop_product_batch_id_fkey;
ALTER TABLE fact_ocop_listing DROP CONSTRAINT fact_ocop_listing_batch_id_fkey;
ALTER TABLE fact_dvc_procedures DROP CONSTRAINT fact_dvc_procedures_batch_id_fkey;
ALTER TABLE fact_dvc_dossiers DROP CONSTRAINT fact_dvc_dossiers_batch_id_fkey;
ALTER TABLE fact_vneid DROP CONSTRAINT fact_vneid_batch_id_fkey;
ALTER TABLE rejected_row DROP CONSTRAINT rejected_row_batch_id_fkey;
ALTER TABLE skipped_row DROP CONSTRAINT skipped_row_batch_id_fkey;
-- A few rows a file: the key stays, and goes with its batch.
ALTER TABLE batch_sheet DROP CONSTRAINT batch_sheet_batch_id_fkey;
ALTER TABLE batch_sheet ADD CONSTRAINT batch_sheet_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batch (id) ON DELETE CASCADE;

CREATE TRIGGER fact_vpostcode_batch_ins AFTER INSERT ON fact_vpostcode
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_vpostcode_batch_upd AFTER UPDATE ON fact_vpostcode
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_village_survey_batch_ins AFTER INSERT ON fact_village_survey
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_village_survey_batch_upd AFTER UPDATE ON fact_village_survey
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_ocop_product_batch_ins AFTER INSERT ON fact_ocop_product
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_ocop_product_batch_upd AFTER UPDATE ON fact_ocop_product
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_ocop_listing_batch_ins AFTER INSERT ON fact_ocop_listing
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_ocop_listing_batch_upd AFTER UPDATE ON fact_ocop_listing
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_dvc_procedures_batch_ins AFTER INSERT ON fact_dvc_procedures
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_dvc_procedures_batch_upd AFTER UPDATE ON fact_dvc_procedures
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_dvc_dossiers_batch_ins AFTER INSERT ON fact_dvc_dossiers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_dvc_dossiers_batch_upd AFTER UPDATE ON fact_dvc_dossiers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_vneid_batch_ins AFTER INSERT ON fact_vneid
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER fact_vneid_batch_upd AFTER UPDATE ON fact_vneid
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER rejected_row_batch_ins AFTER INSERT ON rejected_row
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER rejected_row_batch_upd AFTER UPDATE ON rejected_row
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER skipped_row_batch_ins AFTER INSERT ON skipped_row
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();
CREATE TRIGGER skipped_row_batch_upd AFTER UPDATE ON skipped_row
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_rows_check();

-- +goose Down
DROP TRIGGER fact_vpostcode_batch_ins ON fact_vpostcode;
DROP TRIGGER fact_vpostcode_batch_upd ON fact_vpostcode;
DROP TRIGGER fact_village_survey_batch_ins ON fact_village_survey;
DROP TRIGGER fact_village_survey_batch_upd ON fact_village_survey;
DROP TRIGGER fact_ocop_product_batch_ins ON fact_ocop_product;
DROP TRIGGER fact_ocop_product_batch_upd ON fact_ocop_product;
DROP TRIGGER fact_ocop_listing_batch_ins ON fact_ocop_listing;
DROP TRIGGER fact_ocop_listing_batch_upd ON fact_ocop_listing;
DROP TRIGGER fact_dvc_procedures_batch_ins ON fact_dvc_procedures;
DROP TRIGGER fact_dvc_procedures_batch_upd ON fact_dvc_procedures;
DROP TRIGGER fact_dvc_dossiers_batch_ins ON fact_dvc_dossiers;
DROP TRIGGER fact_dvc_dossiers_batch_upd ON fact_dvc_dossiers;
DROP TRIGGER fact_vneid_batch_ins ON fact_vneid;
DROP TRIGGER fact_vneid_batch_upd ON fact_vneid;
DROP TRIGGER rejected_row_batch_ins ON rejected_row;
DROP TRIGGER rejected_row_batch_upd ON rejected_row;
DROP TRIGGER skipped_row_batch_ins ON skipped_row;
DROP TRIGGER skipped_row_batch_upd ON skipped_row;
DROP TRIGGER batch_delete_rows ON batch;
DROP TRIGGER batch_id_fixed ON batch;
DROP FUNCTION batch_rows_check(), batch_delete_rows(), batch_id_fixed();
ALTER TABLE fact_vpostcode ADD CONSTRAINT fact_vpostcode_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batch (id);
ALTER TABLE fact_village_survey ADD CONSTRAINT fact_village_survey_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batch (id);
ALTER TABLE fact_ocop_product ADD CONSTRAINT fact_ocop_product_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batch (id);
ALTER TABLE fact_ocop_listing ADD CONSTRAINT fact_ocop_listing_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batch (id);
ALTER TABLE fact_dvc_procedures ADD CONSTRAINT fact_dvc_procedures_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batch (id);
ALTER TABLE fact_dvc_dossiers ADD CONSTRAINT fact_dvc_dossiers_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batch (id);
ALTER TABLE fact_vneid ADD CONSTRAINT fact_vneid_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batch (id);
ALTER TABLE rejected_row ADD CONSTRAINT rejected_row_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batch (id);
ALTER TABLE skipped_row ADD CONSTRAINT skipped_row_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batch (id);
ALTER TABLE batch_sheet DROP CONSTRAINT batch_sheet_batch_id_fkey;
ALTER TABLE batch_sheet ADD CONSTRAINT batch_sheet_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES batch (id);
