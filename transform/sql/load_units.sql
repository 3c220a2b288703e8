-- Every version of every unit, for the in-memory unit index (transform.LoadUnitIndex).
SELECT code, level, kind, name, folded_name, coalesce(parent_code, ''), valid_from, valid_to
FROM unit
ORDER BY code, valid_from
