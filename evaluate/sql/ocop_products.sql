-- Every current OCOP product at the period end $1 with its validity, the platforms where it
-- counts as listed, and its unit date (the list's reference date: which unit its commune and
-- village codes name, docs/structure-changes.md §4). The rules (current row, expiry default of
-- $2 months, listing match) are the database functions of migrations 00006 and 00020, shared with
-- the workbooks' OCOP sheet.
WITH listed AS (
    SELECT product_key, array_agg(platform ORDER BY platform) AS platforms
    FROM ocop_current_listings($1, $2)
    WHERE counts
    GROUP BY product_key
)
SELECT p.product_key, p.product_code, p.name, p.owner, p.stars, p.commune_code, p.village_code,
       p.decision_no, p.certified_on, p.expires_on, p.valid,
       coalesce(listed.platforms, '{}') AS platforms, p.folded_name, p.folded_owner, p.unit_date
FROM ocop_current_product_rows($1, $2) p LEFT JOIN listed USING (product_key)
ORDER BY p.commune_code, p.name, p.product_key
