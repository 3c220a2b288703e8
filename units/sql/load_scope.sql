-- The codes a structure import of some provinces reads, for units.Load with a scope: the codes
-- $1 names (the provinces, the codes the file states and their previous codes), every code that
-- ever had one of them as parent, transitively, and the codes linked to or from those.
WITH RECURSIVE tree(code) AS (
    SELECT unnest($1::text[])
    UNION
    SELECT u.code FROM unit u JOIN tree t ON u.parent_code = t.code
)
SELECT code FROM tree
UNION
SELECT s.new_code FROM unit_successor s JOIN tree t ON s.old_code = t.code WHERE s.removed_at IS NULL
UNION
SELECT s.old_code FROM unit_successor s JOIN tree t ON s.new_code = t.code WHERE s.removed_at IS NULL
