-- Every current OCOP product at the period end $1 with its validity and the platforms where it
-- counts as listed. The rules (current row, expiry default of $2 months, listing match) are the
-- database functions of migration 00006, shared with the workbooks' OCOP sheet.
WITH listed AS (
    SELECT product_key, array_agg(platform ORDER BY platform) AS platforms
    FROM ocop_current_listings($1, $2)
    WHERE counts
    GROUP BY product_key
)
SELECT p.product_key, p.product_code, p.name, p.owner, p.stars, p.commune_code, p.village_code,
       p.decision_no, p.certified_on, p.expires_on, p.valid,
       coalesce(listed.platforms, '{}') AS platforms
FROM ocop_current_products($1, $2) p LEFT JOIN listed USING (product_key)
ORDER BY p.commune_code, p.name, p.product_key
