-- Whether any OCOP product list counts at the period end $1: a loaded ocop_products batch (or
-- any loaded batch holding product rows) whose as_of is open or not after $1. Without one,
-- V5_OCOP has no data.
SELECT EXISTS (
    SELECT 1 FROM batch
    WHERE dataset = 'ocop_products' AND status = 'loaded' AND (as_of IS NULL OR as_of <= $1)
) OR EXISTS (
    SELECT 1 FROM fact_ocop_product f
    JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded' AND (b.as_of IS NULL OR b.as_of <= $1)
)
