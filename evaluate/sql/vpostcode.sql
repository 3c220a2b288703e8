-- The digital-address coverage of the villages whose codes $2 lists (one province's lineage)
-- as of the period end $1, one row per village
-- code and as_of (same rule as the survey: newest as_of ≤ $1 first, then newest loaded batch, codes as bytes;
-- Go keeps the first of each unit version).
-- Each listed code's facts are found through the table's index, and each fact's batch by its
-- key (lateral subqueries the planner keeps apart, OFFSET 0): a province's facts are a few
-- thousand rows, and a database never analysed since its loads (the planner then guesses one
-- loaded batch and thousands of rows per code) would otherwise scan the facts once per batch,
-- or the whole table once per province.
SELECT DISTINCT ON (f.village_code COLLATE "C", f.as_of)
       f.village_code, f.as_of, f.batch_id, f.sheet, f.row_no,
       f.households_total, f.households_with, f.orgs_total, f.orgs_with
FROM unnest($2::text[]) c(code)
CROSS JOIN LATERAL (SELECT * FROM fact_vpostcode f WHERE f.village_code = c.code AND f.as_of <= $1 OFFSET 0) f
CROSS JOIN LATERAL (SELECT b.received_at FROM batch b WHERE b.id = f.batch_id AND b.status = 'loaded' OFFSET 0) b
ORDER BY f.village_code COLLATE "C", f.as_of DESC, b.received_at DESC, f.batch_id DESC, f.row_no DESC
