-- The current OCOP products of the communes $3 (a jsonb object: commune code → display position) at the day $1, with their validity and their current
-- listings. Same rules as evaluate/sql/ocop_products.sql (keep the two in step): the current row
-- per product_key is the newest counting batch's (as_of, else the receipt date; then received_at,
-- id); batches dated after $1 do not count; the expiry is given, else certified_on + $2 months.
-- A listing belongs to a product by product code when both have one, else by folded name with a
-- matching or empty folded owner; per (product, platform) the newest listing row decides. Unlike
-- the evaluation, inactive listings are returned too (the report shows them as stopped).
WITH pb AS (
    SELECT id, received_at, coalesce(as_of, received_at::date) AS dated
    FROM batch
    WHERE status = 'loaded' AND (as_of IS NULL OR as_of <= $1)
), p AS (
    SELECT DISTINCT ON (f.product_key)
           f.product_key, f.product_code, f.name, f.folded_name, f.folded_owner, f.owner, f.stars, f.category,
           f.commune_code, coalesce(f.village_code, '') AS village_code, f.decision_no,
           f.certified_on,
           coalesce(f.expires_on, (f.certified_on + make_interval(months => $2))::date) AS expires_on
    FROM fact_ocop_product f
    JOIN pb ON pb.id = f.batch_id
    ORDER BY f.product_key, pb.dated DESC, pb.received_at DESC, pb.id DESC, f.row_no DESC
), ps AS (
    SELECT * FROM p WHERE $3::jsonb ? commune_code  -- a key lookup: a 10,000-element array is scanned per row
), l AS (
    SELECT f.product_code, f.folded_name, f.folded_owner, f.platform, f.url, f.active, f.listed_on,
           lb.dated, lb.received_at, lb.id AS batch_id, f.row_no
    FROM fact_ocop_listing f
    JOIN pb AS lb ON lb.id = f.batch_id
), matched AS (
    SELECT ps.product_key, l.platform, l.url, l.active, l.listed_on, l.dated, l.received_at, l.batch_id, l.row_no
    FROM ps JOIN l ON ps.product_code <> '' AND l.product_code <> '' AND l.product_code = ps.product_code
    UNION ALL
    SELECT ps.product_key, l.platform, l.url, l.active, l.listed_on, l.dated, l.received_at, l.batch_id, l.row_no
    FROM ps JOIN l ON l.folded_name = ps.folded_name
    WHERE (ps.product_code = '' OR l.product_code = '')
      AND (l.folded_owner = '' OR l.folded_owner = ps.folded_owner)
), current_listing AS (
    SELECT DISTINCT ON (product_key, platform) product_key, platform, url, active, listed_on
    FROM matched
    ORDER BY product_key, platform, dated DESC, received_at DESC, batch_id DESC, row_no DESC
), listings AS MATERIALIZED (  -- computed once: inlined, it was re-sorted for every product
    SELECT product_key,
           jsonb_agg(jsonb_build_object('platform', platform, 'url', url, 'listed_on', listed_on,
               'active', active AND (listed_on IS NULL OR listed_on <= $1)) ORDER BY platform) AS listings
    FROM current_listing
    GROUP BY product_key
)
SELECT ps.product_key, ps.product_code, ps.name, ps.owner, ps.stars, ps.category, ps.commune_code, ps.village_code,
       ps.decision_no, ps.certified_on, ps.expires_on,
       (ps.certified_on IS NULL OR ps.certified_on <= $1) AND (ps.expires_on IS NULL OR ps.expires_on >= $1) AS valid,
       coalesce(listings.listings, '[]'::jsonb) AS listings
FROM ps LEFT JOIN listings USING (product_key)
ORDER BY ($3::jsonb ->> ps.commune_code)::int, ps.name, ps.product_key
