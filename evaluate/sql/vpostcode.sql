-- The digital-address coverage of every village as of the period end $1, one row per village
-- code and as_of (same rule as the survey: newest as_of ≤ $1 first, then newest loaded batch, codes as bytes;
-- Go keeps the first of each unit version).
SELECT DISTINCT ON (f.village_code COLLATE "C", f.as_of)
       f.village_code, f.as_of, f.batch_id, f.sheet, f.row_no,
       f.households_total, f.households_with, f.orgs_total, f.orgs_with
FROM fact_vpostcode f
JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'
WHERE f.as_of <= $1
ORDER BY f.village_code COLLATE "C", f.as_of DESC, b.received_at DESC, b.id DESC, f.row_no DESC
