-- The criteria set in force on day $1: valid_from ≤ $1 and (valid_to open or ≥ $1); the newest
-- valid_from wins (an open valid_to lasts until a later set starts).
SELECT key, source
FROM criteria_set
WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1)
ORDER BY valid_from DESC, key
LIMIT 1
