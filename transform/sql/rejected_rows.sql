-- A batch's rejected rows in file order (sheets in the file's order, then rows), at most $2,
-- from the $3-th on.
SELECT r.sheet, r.row_no, r.col, r.reason, r.raw, coalesce(r.cells, '{}')
FROM rejected_row r
LEFT JOIN batch_sheet s ON s.batch_id = r.batch_id AND s.sheet = r.sheet AND s.read_as = 'table'
WHERE r.batch_id = $1
ORDER BY s.position NULLS FIRST, r.sheet, r.row_no
LIMIT $2 OFFSET $3
