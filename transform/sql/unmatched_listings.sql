-- The OCOP listings of loaded batches that match no product of a loaded batch (by code when both
-- have one, else by folded name with the same or no owner: as ocop_current_listings matches).
SELECT l.batch_id, b.file_name, l.sheet, l.row_no, l.product_code, l.product_name, l.platform
FROM fact_ocop_listing l
JOIN batch b ON b.id = l.batch_id AND b.status = 'loaded'
WHERE NOT EXISTS (
    SELECT 1
    FROM fact_ocop_product p
    JOIN batch pb ON pb.id = p.batch_id AND pb.status = 'loaded'
    WHERE (p.product_code <> '' AND l.product_code <> '' AND p.product_code = l.product_code)
       OR ((p.product_code = '' OR l.product_code = '') AND p.folded_name = l.folded_name
           AND (l.folded_owner = '' OR l.folded_owner = p.folded_owner))
)
ORDER BY l.batch_id, l.sheet, l.row_no
LIMIT $1
