-- +goose Up
-- The rules for which OCOP products and listings count at a day live here once, for the evaluation
-- (V5_OCOP) and the workbooks' OCOP sheet alike (docs/criteria.md):
--  * the current row per product_key is the newest counting batch's (as_of, else the receipt date;
--    then received_at, id); only loaded batches count, and none dated after the day;
--  * the expiry is the given one, else certified_on + validity_months;
--  * a listing belongs to a product by product code when both have one, else by folded name with a
--    matching or empty folded owner; per (product, platform) the newest listing row decides.

-- +goose StatementBegin
CREATE FUNCTION ocop_current_products(day date, validity_months integer)
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

-- +goose StatementBegin
-- The current listing of every current product on every platform it was ever listed on; counts
-- says whether it counts at the day (active, and listed on or before it, or on an unknown date).
CREATE FUNCTION ocop_current_listings(day date, validity_months integer)
RETURNS TABLE (product_key text, platform text, url text, active boolean, listed_on date, counts boolean)
LANGUAGE sql STABLE AS $$
    WITH pb AS (
        SELECT id, received_at, coalesce(as_of, received_at::date) AS dated
        FROM batch
        WHERE status = 'loaded' AND (as_of IS NULL OR as_of <= day)
    ), p AS (
        SELECT product_key, product_code, folded_name, folded_owner
        FROM ocop_current_products(day, validity_months)
    ), l AS (
        SELECT f.product_code, f.folded_name, f.folded_owner, f.platform, f.url, f.active, f.listed_on,
               lb.dated, lb.received_at, lb.id AS batch_id, f.row_no
        FROM fact_ocop_listing f
        JOIN pb AS lb ON lb.id = f.batch_id
    ), matched AS (
        SELECT p.product_key, l.platform, l.url, l.active, l.listed_on, l.dated, l.received_at, l.batch_id, l.row_no
        FROM p JOIN l ON p.product_code <> '' AND l.product_code <> '' AND l.product_code = p.product_code
        UNION ALL
        SELECT p.product_key, l.platform, l.url, l.active, l.listed_on, l.dated, l.received_at, l.batch_id, l.row_no
        FROM p JOIN l ON l.folded_name = p.folded_name
        WHERE (p.product_code = '' OR l.product_code = '')
          AND (l.folded_owner = '' OR l.folded_owner = p.folded_owner)
    )
    SELECT DISTINCT ON (product_key, platform) product_key, platform, url, active, listed_on,
           active AND (listed_on IS NULL OR listed_on <= day)
    FROM matched
    ORDER BY product_key, platform, dated DESC, received_at DESC, batch_id DESC, row_no DESC
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ocop_current_listings(date, integer);
DROP FUNCTION ocop_current_products(date, integer);
