-- The successor links in force (not removed) from or to the codes $1 lists, for units.Load with
-- a scope.
SELECT id, old_code, new_code, from_date, kind, source, coalesce(batch_id, 0), created_by, note, created_at
FROM unit_successor
WHERE removed_at IS NULL AND (old_code IN (SELECT unnest($1::text[])) OR new_code IN (SELECT unnest($1::text[])))
ORDER BY from_date, old_code, new_code
