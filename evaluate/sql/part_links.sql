-- The successor links in force (not removed) from or to the codes $1 lists: an evaluation
-- follows them, transitively in both directions, from a province's units to every code whose
-- facts can stand for one of them (predecessors, merged across provinces too) or whose
-- located facts are carried into it (parts.go, partCodes). Their order is units.Load's.
SELECT id, old_code, new_code, from_date, kind
FROM unit_successor
WHERE removed_at IS NULL AND (old_code = ANY($1::text[]) OR new_code = ANY($1::text[]))
ORDER BY from_date, old_code, new_code
