-- Every current OCOP product at the period end $1 with its validity and listings.
-- Current row per product_key: the newest counting batch (as_of, else the receipt date; then
-- received_at, id). Batches dated after $1 do not count.
-- Valid at $1: certified_on ≤ $1 (or unknown) and the expiry (given, else certified_on +
-- $2 months) ≥ $1.
-- A listing belongs to a product by product code when both have one, else by folded name with
-- a matching or empty folded owner. Per (product, platform) the newest listing row decides; it
-- counts when active and listed_on ≤ $1 (or unknown).
WITH pb AS (
    SELECT id, received_at, coalesce(as_of, received_at::date) AS dated
    FROM batch
    WHERE status = 'loaded' AND (as_of IS NULL OR as_of <= $1)
), p AS (
    SELECT DISTINCT ON (f.product_key)
           f.product_key, f.product_code, f.name, f.folded_name, f.folded_owner, f.owner, f.stars,
           f.commune_code, coalesce(f.village_code, '') AS village_code, f.decision_no,
           f.certified_on,
           coalesce(f.expires_on, (f.certified_on + make_interval(months => $2))::date) AS expires_on
    FROM fact_ocop_product f
    JOIN pb ON pb.id = f.batch_id
    ORDER BY f.product_key, pb.dated DESC, pb.received_at DESC, pb.id DESC, f.row_no DESC
), l AS (
    SELECT f.product_code, f.folded_name, f.folded_owner, f.platform, f.active, f.listed_on,
           lb.dated, lb.received_at, lb.id AS batch_id, f.row_no
    FROM fact_ocop_listing f
    JOIN pb AS lb ON lb.id = f.batch_id
), matched AS (
    SELECT p.product_key, l.platform, l.active, l.listed_on, l.dated, l.received_at, l.batch_id, l.row_no
    FROM p JOIN l ON p.product_code <> '' AND l.product_code <> '' AND l.product_code = p.product_code
    UNION ALL
    SELECT p.product_key, l.platform, l.active, l.listed_on, l.dated, l.received_at, l.batch_id, l.row_no
    FROM p JOIN l ON l.folded_name = p.folded_name
    WHERE (p.product_code = '' OR l.product_code = '')
      AND (l.folded_owner = '' OR l.folded_owner = p.folded_owner)
), current_listing AS (
    SELECT DISTINCT ON (product_key, platform) product_key, platform, active, listed_on
    FROM matched
    ORDER BY product_key, platform, dated DESC, received_at DESC, batch_id DESC, row_no DESC
), listed AS (
    SELECT product_key, array_agg(platform ORDER BY platform) AS platforms
    FROM current_listing
    WHERE active AND (listed_on IS NULL OR listed_on <= $1)
    GROUP BY product_key
)
SELECT p.product_key, p.product_code, p.name, p.owner, p.stars, p.commune_code, p.village_code,
       p.decision_no, p.certified_on, p.expires_on,
       (p.certified_on IS NULL OR p.certified_on <= $1) AND (p.expires_on IS NULL OR p.expires_on >= $1) AS valid,
       coalesce(listed.platforms, '{}') AS platforms
FROM p LEFT JOIN listed USING (product_key)
ORDER BY p.commune_code, p.name, p.product_key
