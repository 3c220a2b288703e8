-- The self-assessments of the villages whose codes $2 lists (one province's lineage,
-- parts.go) as of the period end $1: among facts of loaded batches
-- with as_of ≤ $1, one per village code and as_of (the newest batch's: received_at, id), newest
-- as_of first (codes compared as bytes, COLLATE "C": the same groups as the database's collation
-- gives, sorted without its costly comparisons; Go looks rows up by code, not by order). Go keeps
-- the first of each unit version (a code can name several villages over time,
-- docs/structure-changes.md §4) and judges staleness.
-- Each listed code's facts are found through the table's index, and each fact's batch by its
-- key (lateral subqueries the planner keeps apart, OFFSET 0): a province's facts are a few
-- thousand rows, and a database never analysed since its loads (the planner then guesses one
-- loaded batch and thousands of rows per code) would otherwise scan the facts once per batch,
-- or the whole table once per province.
SELECT DISTINCT ON (f.village_code COLLATE "C", f.as_of)
       f.village_code, f.as_of, f.batch_id, f.sheet, f.row_no,
       f.team, f.team_decision, f.platform, f.platform_name, f.wifi, f.models, f.model_fields
FROM unnest($2::text[]) c(code)
CROSS JOIN LATERAL (SELECT * FROM fact_village_survey f WHERE f.village_code = c.code AND f.as_of <= $1 OFFSET 0) f
CROSS JOIN LATERAL (SELECT b.received_at FROM batch b WHERE b.id = f.batch_id AND b.status = 'loaded' OFFSET 0) b
ORDER BY f.village_code COLLATE "C", f.as_of DESC, b.received_at DESC, f.batch_id DESC, f.row_no DESC
