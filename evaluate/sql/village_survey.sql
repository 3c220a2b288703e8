-- The latest self-assessment of every village as of the period end $1: among facts of loaded
-- batches with as_of ≤ $1, the newest as_of, then the newest batch (received_at, id).
-- Staleness is judged in Go.
SELECT DISTINCT ON (f.village_code)
       f.village_code, f.as_of, f.batch_id, f.sheet, f.row_no,
       f.team, f.team_decision, f.platform, f.platform_name, f.wifi, f.models, f.model_fields
FROM fact_village_survey f
JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'
WHERE f.as_of <= $1
ORDER BY f.village_code, f.as_of DESC, b.received_at DESC, b.id DESC, f.row_no DESC
