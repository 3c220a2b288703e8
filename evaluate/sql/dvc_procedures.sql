-- The online-service coverage of the units whose codes $2 lists (one province's lineage) as of
-- the period end $1, one row per unit code and
-- as_of (the newest loaded batch's), newest as_of first (codes as bytes, as in village_survey.sql): Go keeps the first of each unit version.
-- Each listed code's facts are found through the table's index, and each fact's batch by its
-- key (lateral subqueries the planner keeps apart, OFFSET 0): a province's facts are a few
-- thousand rows, and a database never analysed since its loads (the planner then guesses one
-- loaded batch and thousands of rows per code) would otherwise scan the facts once per batch,
-- or the whole table once per province.
SELECT DISTINCT ON (f.unit_code COLLATE "C", f.as_of)
       f.unit_code, f.as_of, f.batch_id, f.eligible, f.full_online, f.partial_online
FROM unnest($2::text[]) c(code)
CROSS JOIN LATERAL (SELECT * FROM fact_dvc_procedures f WHERE f.unit_code = c.code AND f.as_of <= $1 OFFSET 0) f
CROSS JOIN LATERAL (SELECT b.received_at FROM batch b WHERE b.id = f.batch_id AND b.status = 'loaded' OFFSET 0) b
ORDER BY f.unit_code COLLATE "C", f.as_of DESC, b.received_at DESC, f.batch_id DESC, f.row_no DESC
