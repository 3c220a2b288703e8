-- The criteria of set $1, in display order.
SELECT key, name, level, threshold_num, threshold_den, position
FROM criterion
WHERE set_key = $1
ORDER BY position, key
