-- Every alias with the newest names of its unit and parent, for units.Aliases.
SELECT a.id, a.name, a.folded_name, a.unit_code, coalesce(a.parent_code, ''), a.note, a.created_by, a.created_at,
       coalesce((SELECT u.name FROM unit u WHERE u.code = a.unit_code ORDER BY u.valid_from DESC LIMIT 1), ''),
       coalesce((SELECT u.name FROM unit u WHERE u.code = a.parent_code ORDER BY u.valid_from DESC LIMIT 1), '')
FROM unit_alias a
ORDER BY a.folded_name, a.unit_code
