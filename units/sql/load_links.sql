-- The successor links in force (not removed), for units.Load.
SELECT id, old_code, new_code, from_date, kind, source, coalesce(batch_id, 0), created_by, note, created_at
FROM unit_successor
WHERE removed_at IS NULL
ORDER BY from_date, old_code, new_code
