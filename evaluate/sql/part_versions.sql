-- Every version of the codes $2 lists (one province's lineage, parts.go), in units.Load's order;
-- $1 false leaves out villages. Each code's versions are found through the table's key (code,
-- valid_from), whatever the statistics (a lateral subquery the planner keeps apart, OFFSET 0).
SELECT u.id, u.code, u.level, u.kind, u.name, coalesce(u.parent_code, ''), u.valid_from, u.valid_to
FROM unnest($2::text[]) c(code)
CROSS JOIN LATERAL (SELECT * FROM unit u WHERE u.code = c.code AND ($1 OR u.level <> 'village') OFFSET 0) u
ORDER BY u.code, u.valid_from
