-- The versions of the codes $2 lists, for units.Load with a scope; $1 false leaves out villages.
SELECT id, code, level, kind, name, folded_name, coalesce(parent_code, ''), valid_from, valid_to
FROM unit
WHERE ($1 OR level <> 'village') AND code IN (SELECT unnest($2::text[]))
ORDER BY code, valid_from
