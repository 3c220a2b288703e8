-- The villages in force at the period end $1 whose parent is one of the codes $2 lists (the
-- units of one province above the villages), in code order. Should two versions of one code
-- both be in force (overlapping rows), the newest valid_from wins (as units.sql). Each parent's
-- villages are found through the index on parent_code, whatever the statistics (a lateral
-- subquery the planner keeps apart, OFFSET 0).
SELECT DISTINCT ON (u.code) u.code, u.level, u.kind, u.name, coalesce(u.parent_code, '')
FROM unnest($2::text[]) c(code)
CROSS JOIN LATERAL (
    SELECT * FROM unit u
    WHERE u.parent_code = c.code AND u.level = 'village'
      AND u.valid_from <= $1 AND (u.valid_to IS NULL OR u.valid_to >= $1)
    OFFSET 0
) u
ORDER BY u.code, u.valid_from DESC, u.id DESC
