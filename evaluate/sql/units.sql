-- The unit structure in force at the period end $1 above the villages (the villages are read one
-- province at a time: part_villages.sql). Should two versions of one code both be in force
-- (overlapping rows), the newest valid_from wins.
SELECT DISTINCT ON (code) code, level, kind, name, coalesce(parent_code, '')
FROM unit
WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) AND level <> 'village'
ORDER BY code, valid_from DESC, id DESC
