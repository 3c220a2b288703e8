-- The codes the workbooks of some provinces name, for units.Load with Provinces: the provinces $1
-- lists and every code reached from them by a parent's children or a successor link in force,
-- either way and transitively (a unit that moved between provinces, the units it came from and
-- went to, the villages of a commune merged in from another province). Load adds the parents of
-- their versions (a predecessor's commune and province are named too).
WITH RECURSIVE reach(code) AS (
    SELECT unnest($1::text[])
    UNION
    SELECT n.code FROM reach r CROSS JOIN LATERAL (
        SELECT u.code FROM unit u WHERE u.parent_code = r.code
        UNION ALL
        SELECT s.new_code FROM unit_successor s WHERE s.old_code = r.code AND s.removed_at IS NULL
        UNION ALL
        SELECT s.old_code FROM unit_successor s WHERE s.new_code = r.code AND s.removed_at IS NULL
    ) n
)
SELECT code FROM reach
