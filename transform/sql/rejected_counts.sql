-- How many rows of each sheet of a batch were rejected.
SELECT sheet, count(*)
FROM rejected_row
WHERE batch_id = $1
GROUP BY sheet
