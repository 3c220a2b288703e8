-- The current OCOP products of every commune at the day $1, with their validity and their current
-- listings, inactive ones too (the report shows them as stopped), by commune, name and key, and
-- the date their unit codes were resolved at (Go places them in the units in force at $1). The
-- rules are the database functions of migrations 00006 and 00020, shared with the evaluation, so
-- the sheet always agrees with V5_OCOP. Read once per day and report run (reports/sheet_ocop.go).
WITH ps AS (
    SELECT * FROM ocop_current_product_rows($1, $2)
), listings AS MATERIALIZED (
    SELECT product_key,
           jsonb_agg(jsonb_build_object('platform', platform, 'url', url, 'listed_on', listed_on,
               'active', counts) ORDER BY platform) AS listings
    FROM ocop_current_listings($1, $2)
    GROUP BY product_key
)
SELECT ps.product_key, ps.product_code, ps.name, ps.owner, ps.stars, ps.category, ps.commune_code, ps.village_code,
       ps.decision_no, ps.certified_on, ps.expires_on, ps.valid,
       coalesce(listings.listings, '[]'::jsonb) AS listings, ps.folded_name, ps.folded_owner, ps.unit_date
FROM ps LEFT JOIN listings USING (product_key)
ORDER BY ps.commune_code, ps.name, ps.product_key
