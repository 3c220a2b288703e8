-- A batch's skipped rows, in runs, in file order, at most $2.
SELECT k.sheet, k.row_from, k.row_to, k.rows, k.reason, k.raw
FROM skipped_row k
LEFT JOIN batch_sheet s ON s.batch_id = k.batch_id AND s.sheet = k.sheet AND s.read_as = 'table'
WHERE k.batch_id = $1
ORDER BY s.position NULLS FIRST, k.sheet, k.row_from
LIMIT $2
