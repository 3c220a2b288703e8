-- The sheets of a batch's file, in the file's order, and how each was read.
SELECT position, sheet, read_as, note, header_top, header_bottom, coalesce(columns, '{}'), coalesce(fields, '{}')
FROM batch_sheet
WHERE batch_id = $1
ORDER BY position
