-- +goose Up
-- Which unit an OCOP product belongs to depends on the date its commune and village codes were
-- resolved at (docs/structure-changes.md §4): the list's reference date, its batch's as_of, else
-- the day the batch was received (UTC). ocop_current_product_rows is ocop_current_products with
-- that date (unit_date); ocop_current_products now reads it, so the rules stay in one place.

-- +goose StatementBegin
CREATE FUNCTION ocop_current_product_rows(day date, validity_months integer)
RETURNS TABLE (product_key text, product_code text, name text, folded_name text, folded_owner text,
               owner text, stars smallint, category text, commune_code text, village_code text,
               decision_no text, certified_on date, expires_on date, valid boolean, unit_date date)
LANGUAGE sql STABLE AS $$
    WITH pb AS (
        SELECT id, received_at, coalesce(as_of, received_at::date) AS dated,
               coalesce(as_of, (received_at AT TIME ZONE 'UTC')::date) AS unit_date
        FROM batch
        WHERE status = 'loaded' AND (as_of IS NULL OR as_of <= day)
    ), p AS (
        SELECT DISTINCT ON (f.product_key)
               f.product_key, f.product_code, f.name, f.folded_name, f.folded_owner, f.owner, f.stars,
               f.category, f.commune_code, coalesce(f.village_code, '') AS village_code, f.decision_no,
               f.certified_on,
               coalesce(f.expires_on, (f.certified_on + make_interval(months => validity_months))::date) AS expires_on,
               pb.unit_date
        FROM fact_ocop_product f
        JOIN pb ON pb.id = f.batch_id
        ORDER BY f.product_key, pb.dated DESC, pb.received_at DESC, pb.id DESC, f.row_no DESC
    )
    SELECT p.product_key, p.product_code, p.name, p.folded_name, p.folded_owner, p.owner, p.stars,
           p.category, p.commune_code, p.village_code, p.decision_no, p.certified_on, p.expires_on,
           (p.certified_on IS NULL OR p.certified_on <= day) AND (p.expires_on IS NULL OR p.expires_on >= day),
           p.unit_date
    FROM p
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ocop_current_products(day date, validity_months integer)
RETURNS TABLE (product_key text, product_code text, name text, folded_name text, folded_owner text,
               owner text, stars smallint, category text, commune_code text, village_code text,
               decision_no text, certified_on date, expires_on date, valid boolean)
LANGUAGE sql STABLE AS $$
    SELECT product_key, product_code, name, folded_name, folded_owner, owner, stars, category,
           commune_code, village_code, decision_no, certified_on, expires_on, valid
    FROM ocop_current_product_rows(day, validity_months)
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ocop_current_products(day date, validity_months integer)
RETURNS TABLE (product_key text, product_code text, name text, folded_name text, folded_owner text,
               owner text, stars smallint, category text, commune_code text, village_code text,
               decision_no text, certified_on date, expires_on date, valid boolean)
LANGUAGE sql STABLE AS $$
    WITH pb AS (
        SELECT id, received_at, coalesce(as_of, received_at::date) AS dated
        FROM batch
        WHERE status = 'loaded' AND (as_of IS NULL OR as_of <= day)
    ), p AS (
        SELECT DISTINCT ON (f.product_key)
               f.product_key, f.product_code, f.name, f.folded_name, f.folded_owner, f.owner, f.stars,
               f.category, f.commune_code, coalesce(f.village_code, '') AS village_code, f.decision_no,
               f.certified_on,
               coalesce(f.expires_on, (f.certified_on + make_interval(months => validity_months))::date) AS expires_on
        FROM fact_ocop_product f
        JOIN pb ON pb.id = f.batch_id
        ORDER BY f.product_key, pb.dated DESC, pb.received_at DESC, pb.id DESC, f.row_no DESC
    )
    SELECT p.*, (p.certified_on IS NULL OR p.certified_on <= day) AND (p.expires_on IS NULL OR p.expires_on >= day)
    FROM p
$$;
-- +goose StatementEnd
DROP FUNCTION ocop_current_product_rows(date, integer);
