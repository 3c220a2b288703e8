-- The self-assessments of every village as of the period end $1: among facts of loaded batches
-- with as_of ≤ $1, one per village code and as_of (the newest batch's: received_at, id), newest
-- as_of first (codes compared as bytes, COLLATE "C": the same groups as the database's collation
-- gives, sorted without its costly comparisons; Go looks rows up by code, not by order). Go keeps
-- the first of each unit version (a code can name several villages over time,
-- docs/structure-changes.md §4) and judges staleness.
SELECT DISTINCT ON (f.village_code COLLATE "C", f.as_of)
       f.village_code, f.as_of, f.batch_id, f.sheet, f.row_no,
       f.team, f.team_decision, f.platform, f.platform_name, f.wifi, f.models, f.model_fields
FROM fact_village_survey f
JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'
WHERE f.as_of <= $1
ORDER BY f.village_code COLLATE "C", f.as_of DESC, b.received_at DESC, b.id DESC, f.row_no DESC
