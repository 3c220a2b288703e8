-- The online-service coverage of every unit as of the period end $1, one row per unit code and
-- as_of (the newest loaded batch's), newest as_of first (codes as bytes, as in village_survey.sql): Go keeps the first of each unit version.
SELECT DISTINCT ON (f.unit_code COLLATE "C", f.as_of)
       f.unit_code, f.as_of, f.batch_id, f.eligible, f.full_online, f.partial_online
FROM fact_dvc_procedures f
JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'
WHERE f.as_of <= $1
ORDER BY f.unit_code COLLATE "C", f.as_of DESC, b.received_at DESC, b.id DESC, f.row_no DESC
