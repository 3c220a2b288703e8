-- The criteria set in force at the period end $1: valid_from ≤ $1 and (valid_to open or ≥ $1);
-- the newest valid_from wins.
SELECT key, name, valid_from, stale_months, ocop_locality, dossier_window
FROM criteria_set
WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1)
ORDER BY valid_from DESC, key
LIMIT 1
