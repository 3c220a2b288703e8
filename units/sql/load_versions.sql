-- Every version of every unit, for units.Load; $1 false leaves out villages.
SELECT id, code, level, kind, name, folded_name, coalesce(parent_code, ''), valid_from, valid_to
FROM unit
WHERE $1 OR level <> 'village'
ORDER BY code, valid_from
