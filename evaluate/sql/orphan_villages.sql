-- The villages in force at the period end $1 whose parent is no unit above the villages in force
-- then (a broken chain of parents): they are evaluated with the units in no province. Should two
-- versions of one code both be in force, the newest valid_from wins (as units.sql).
SELECT DISTINCT ON (code) code, level, kind, name, coalesce(parent_code, '')
FROM unit v
WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) AND level = 'village'
  AND NOT EXISTS (
    SELECT 1 FROM unit p
    WHERE p.code = v.parent_code AND p.level <> 'village'
      AND p.valid_from <= $1 AND (p.valid_to IS NULL OR p.valid_to >= $1)
  )
ORDER BY code, valid_from DESC, id DESC
